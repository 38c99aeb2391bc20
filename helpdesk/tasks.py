"""The team's e-mails, sent once each (notifications.emails): the invitation, a request filed (to its referents),
a request's step (to its author). Each task takes primary keys and is safe to run twice."""

from celery import shared_task
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from helpdesk.models import HelpRequest, HelpRequestEvent
from missions.models import AllocationPlan, PlanRow
from notifications.emails import email_send_once
from schools.models import Person, Role, User

RETRY = {"acks_late": True, "autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}
FALLBACK_MISSION = {HelpRequest.Kind.INCIDENT: "tools.tickets", HelpRequest.Kind.SUPPORT: "support_teams"}


@shared_task(name="helpdesk.tasks.send_teacher_invitation", **RETRY)
def send_teacher_invitation(person_id: int) -> int:
    """The invitation to a staff member: a link to set their password (Django's password-reset token)."""
    person = Person.objects.select_related("school", "user").filter(pk=person_id, user__isnull=False).first()
    if person is None:
        return 0
    user = person.user
    link = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return int(
        email_send_once(
            key=f"teacher-invitation:{person.school_id}:{user.pk}",
            to=user.email,
            template="teacher_invitation",
            context={"school": person.school, "person": person, "link": link},
            user=user,
        )
    )


def request_recipients(request: HelpRequest) -> list[User]:
    """Who is told of a new request: the holders of its row of the plan (the year's submitted plan), else the
    holders of "Remontée des tickets" (incident) or "Accompagner l'équipe" (question), else the school's referents."""
    holders: list[Person] = []
    if request.row_id is not None:
        holders = list(request.row.holders.filter(user__isnull=False).order_by("pk"))
    if not holders:
        row = (
            PlanRow.objects.filter(
                plan__school_id=request.school_id,
                plan__school_year_id=request.school_year_id,
                plan__state=AllocationPlan.State.SUBMITTED,
                mission__code=FALLBACK_MISSION[request.kind],
            )
            .order_by("pk")
            .first()
        )
        holders = list(row.holders.filter(user__isnull=False).order_by("pk")) if row else []
    users = [person.user for person in holders]
    if not users:
        users = list(
            User.objects.filter(roles__school_id=request.school_id, roles__kind=Role.Kind.REFERENT, is_active=True)
            .distinct()
            .order_by("pk")
        )
    return users


@shared_task(name="helpdesk.tasks.notify_help_request_filed", **RETRY)
def notify_help_request_filed(request_id: int) -> int:
    request = HelpRequest.objects.select_related("school", "author", "row__mission").filter(pk=request_id).first()
    if request is None:
        return 0
    sent = 0
    for user in request_recipients(request):
        sent += email_send_once(
            key=f"help-request-filed:{request.pk}:{user.pk}",
            to=user.email,
            template="help_request_filed",
            context={"school": request.school, "request": request, "recipient": user},
            user=user,
            link=reverse("helpdesk:request", args=[request.school.uai, request.pk]),
        )
    return sent


@shared_task(name="helpdesk.tasks.notify_help_request_changed", **RETRY)
def notify_help_request_changed(event_id: int) -> int:
    """The author is told of each step taken by someone else."""
    event = (
        HelpRequestEvent.objects.select_related("request__school", "request__author__user").filter(pk=event_id).first()
    )
    if event is None:
        return 0
    request, author = event.request, event.request.author
    to = author.user.email if author.user_id else author.email
    if not to or (author.user_id is not None and author.user_id == event.by_id):
        return 0
    return int(
        email_send_once(
            key=f"help-request-step:{event.pk}",
            to=to,
            template="help_request_changed",
            context={"school": request.school, "request": request, "event": event, "person": author},
            user=author.user,
            link=reverse("helpdesk:request", args=[request.school.uai, request.pk]),
        )
    )
