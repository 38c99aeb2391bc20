"""The e-mail to the school's principals when a holder accepts or declines an IMP award and when the rectorat
validates or rejects it (queued on commit by imp.services, one e-mail per answer and principal: sent once)."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.urls import reverse

from imp.models import AwardEvent
from notifications.emails import email_send_once
from schools.models import Role

ANSWERS = (
    AwardEvent.Kind.ACCEPTED,
    AwardEvent.Kind.DECLINED,
    AwardEvent.Kind.VALIDATED,
    AwardEvent.Kind.REJECTED,
)


@shared_task(
    name="imp.tasks.notify_award_answer",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def notify_award_answer(event_id: int) -> int:
    """Tell the principals of the award's school what the holder or the rectorat answered; returns e-mails sent."""
    event = (
        AwardEvent.objects.select_related("award__school", "award__school_year", "award__person", "award__rate")
        .filter(pk=event_id, kind__in=ANSWERS)
        .first()
    )
    if event is None:
        return 0
    award = event.award
    principals = (
        get_user_model()
        .objects.filter(roles__kind=Role.Kind.PRINCIPAL, roles__school=award.school_id, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    link = reverse("imp:award", args=[award.school.uai, award.school_year.name, award.pk])
    sent = 0
    for user in principals:
        sent += email_send_once(
            key=f"imp-answer:{event.pk}:{user.pk}",
            to=user.email,
            template="imp_award_answered",
            context={"award": award, "event": event, "school": award.school, "user": user, "link": link},
            user=user,
            link=link,
        )
    return sent
