"""Changes to the team's side: invitations, the help-request book, the sessions de prise en main.

Keyword-only, one transaction each, DomainError (in French) on refusal. E-mails are queued on commit
(helpdesk.tasks) and sent once."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import ActivityEntry
from activity.services import ActivityInput, activity_create
from helpdesk.models import (
    AUTHOR,
    HELP_TRANSITIONS,
    HelpRequest,
    HelpRequestEvent,
    TeamSession,
    TeamSessionRegistration,
)
from helpdesk.tasks import notify_help_request_changed, notify_help_request_filed, send_teacher_invitation
from missions.models import Mission, PlanRow
from rupn.lib.concurrency import VersionConflict, versioned_update
from rupn.lib.errors import DomainError
from rupn.lib.images import ImageError, image_format
from schools.access import Perm, school_perms
from schools.models import Person, Role, School, SchoolYear, User

MAX_SCREENSHOT_BYTES = 2 * 1024 * 1024


# --- invitations ------------------------------------------------------------------------------------------------


def invitable(person: Person, held_school_roles: set[int]) -> bool:
    """A member of the staff in post, with an address, whose account (if any) holds no role in the school yet."""
    return person.is_active and bool(person.email) and person.user_id not in held_school_roles


@transaction.atomic
def teachers_invite(*, school: School, persons: list[Person], by) -> int:
    """Give each of these staff members an account and the teacher role in the school, and e-mail them a link to set
    their password (once). Returns how many were invited now."""
    holders = set(Role.objects.filter(school=school, user__isnull=False).values_list("user_id", flat=True).order_by())
    invited = 0
    for person in Person.objects.select_for_update().filter(pk__in=[p.pk for p in persons], school=school):
        if not invitable(person, holders):
            continue
        user = person.user or User.objects.filter(email__iexact=person.email).first()
        if user is None:
            user = User.objects.create_user(person.email, first_name=person.first_name, last_name=person.last_name)
        if person.user_id is None:
            person.user = user
            person.save(update_fields=["user"])
        if user.pk in holders:
            continue
        Role.objects.get_or_create(user=user, kind=Role.Kind.TEACHER, school=school)
        holders.add(user.pk)
        send_teacher_invitation.delay_on_commit(person.pk)
        invited += 1
    return invited


# --- the help-request book --------------------------------------------------------------------------------------


@dataclass
class HelpRequestInput:
    """A request as the teacher typed it."""

    kind: str
    subject: str
    location: str = ""
    urgency: str = HelpRequest.Urgency.NORMAL
    description: str = ""
    row: PlanRow | None = None
    screenshot: object | None = None  # an uploaded file


def screenshot_read(upload) -> tuple[bytes, str]:
    """The bytes and format of an uploaded screenshot: a whole PNG or JPEG of 2 Mo at most, else DomainError."""
    if upload.size > MAX_SCREENSHOT_BYTES:
        raise DomainError(_("La capture dépasse 2 Mo."), field="screenshot")
    data = upload.read(MAX_SCREENSHOT_BYTES + 1)
    if len(data) > MAX_SCREENSHOT_BYTES:
        raise DomainError(_("La capture dépasse 2 Mo."), field="screenshot")
    try:
        return data, image_format(data)
    except ImageError as error:
        raise DomainError(_("La capture doit être une image PNG ou JPEG complète."), field="screenshot") from error


def author_person(user, school: School) -> Person:
    """The staff record of this teacher in the school; DomainError when they have none in post."""
    person = Person.objects.filter(school=school, user=user, is_active=True).order_by("pk").first()
    if person is None:
        raise DomainError(_("Votre compte n'est relié à aucun personnel en poste dans cet établissement."))
    return person


def _event(request: HelpRequest, *, action: str, note: str, by) -> HelpRequestEvent:
    return HelpRequestEvent.objects.create(
        request=request,
        action=action,
        state=request.state,
        note=note,
        by=by,
        by_name=by.get_full_name() or by.email,
    )


@transaction.atomic
def help_request_file(*, school: School, school_year: SchoolYear, data: HelpRequestInput, by) -> HelpRequest:
    """A teacher files a request; the referents of its row of the plan are told."""
    if Perm.FILE_HELP_REQUEST not in school_perms(by, school):
        raise DomainError(_("Seuls les enseignants de l'établissement déposent une demande."))
    author = author_person(by, school)
    subject = " ".join(data.subject.split())
    if not subject:
        raise DomainError(_("Dites en quelques mots quel est le problème."))
    if data.kind not in HelpRequest.Kind.values:
        raise DomainError(_("Choisissez la nature de la demande dans la liste."))
    if data.urgency not in HelpRequest.Urgency.values:
        raise DomainError(_("Choisissez l'urgence dans la liste."))
    if data.row is not None and data.row.plan.school_id != school.pk:
        raise DomainError(_("Choisissez l'outil concerné dans la liste."))
    request = HelpRequest(
        school=school,
        school_year=school_year,
        author=author,
        kind=data.kind,
        row=data.row,
        topic=str(data.row.service_name or data.row.mission.label) if data.row else "",
        subject=subject[:200],
        description=data.description.strip(),
        location=" ".join(data.location.split())[:200],
        urgency=data.urgency,
        updated_by=by,
    )
    if data.screenshot is not None:
        content, fmt = screenshot_read(data.screenshot)
        request.screenshot_format = fmt
        request.screenshot.save(f"capture.{fmt}", ContentFile(content), save=False)
    request.save()
    _event(request, action=HelpRequestEvent.FILED, note="", by=by)
    notify_help_request_filed.delay_on_commit(request.pk)
    return request


def _conflict(request: HelpRequest) -> VersionConflict:
    current = HelpRequest.objects.select_related("updated_by").get(pk=request.pk)
    who = current.updated_by.get_full_name() if current.updated_by else None
    return VersionConflict(who=who, when=current.updated_at, version=current.version)


def _handler_person(by, school: School) -> Person | None:
    return Person.objects.filter(school=school, user=by).order_by("pk").first()


@transaction.atomic
def help_request_act(
    *,
    request: HelpRequest,
    action: str,
    expected_version: int,
    by,
    note: str = "",
    ticket_number: str = "",
    ticket_url: str = "",
) -> HelpRequest:
    """One step of a request (take, ask, reply, solve, pass_on, close) from HELP_TRANSITIONS, one history line; a
    request passed on is logged as "ticket transmis" in the referent's activity. VersionConflict when someone acted
    on it since expected_version."""
    if action not in HELP_TRANSITIONS:
        raise DomainError(_("Cette action n'existe pas."))
    sources, target, perm, _label = HELP_TRANSITIONS[action]
    perms = school_perms(by, request.school)
    if not request.abilities(by, perms)[action]:
        if request.state not in sources:
            raise DomainError(_("Cette demande n'en est plus à cette étape : rechargez la page."))
        raise DomainError(
            _("Seul l'auteur de la demande répond à la question.")
            if perm is AUTHOR
            else _("Votre rôle ne permet pas cette action.")
        )
    note = note.strip()
    now = timezone.now()
    fields: dict = {"state": target, "updated_at": now, "updated_by": by}
    if action in ("ask", "reply") and not note:
        raise DomainError(_("Écrivez votre message."))
    if perm is not AUTHOR:
        if request.first_answer_at is None:
            fields["first_answer_at"] = now
        if request.handler_id is None:
            fields["handler"] = _handler_person(by, request.school)
    if action == "pass_on":
        ticket_number, ticket_url = " ".join(ticket_number.split()), ticket_url.strip()
        if not ticket_number:
            raise DomainError(_("Indiquez le numéro du ticket ouvert dans l'outil de la collectivité."))
        if ticket_url:
            try:
                URLValidator(schemes=["http", "https"])(ticket_url)
            except ValidationError as error:
                raise DomainError(_("Le lien vers le ticket doit être une adresse web (https://…).")) from error
        fields.update(ticket_number=ticket_number[:50], ticket_url=ticket_url[:300], passed_on_at=now)
    if action == "close":
        fields["closed_at"] = now
    versioned_update(
        HelpRequest.objects, pk=request.pk, version=expected_version, conflict=lambda: _conflict(request), **fields
    )
    request.refresh_from_db()
    event = _event(request, action=action, note=note, by=by)
    if action == "pass_on":
        _log_ticket(request, by)
    notify_help_request_changed.delay_on_commit(event.pk)
    return request


def _log_ticket(request: HelpRequest, by) -> None:
    """The request passed on counts as an activity "ticket transmis" of the referent who passed it (a principal
    passing it on keeps no activity log)."""
    person = _handler_person(by, request.school)
    if person is None or "referent" not in set(
        Role.objects.filter(user=by, school=request.school).values_list("kind", flat=True)
    ):
        return
    mission = Mission.objects.get(code="tools.tickets")
    activity_create(
        person=person,
        data=ActivityInput(
            mission=mission,
            date=timezone.localdate(),
            minutes=15,
            kind=ActivityEntry.Kind.TICKET,
            description=_("Demande « %(subject)s » transmise au support de la collectivité")
            % {"subject": request.subject},
            ticket_number=request.ticket_number,
            ticket_url=request.ticket_url,
        ),
        by=by,
    )


# --- sessions de prise en main ----------------------------------------------------------------------------------


@dataclass
class SessionInput:
    topic: str
    starts_at: datetime.datetime
    room: str
    places: int
    minutes: int = 60


@transaction.atomic
def team_session_schedule(*, school: School, school_year: SchoolYear, data: SessionInput, by) -> TeamSession:
    """A referent offers a session in the school."""
    if Perm.RUN_SESSIONS not in school_perms(by, school):
        raise DomainError(_("Seuls les référents de l'établissement proposent une session."))
    referent = _handler_person(by, school)
    if referent is None:
        raise DomainError(_("Votre compte n'est relié à aucun personnel de cet établissement."))
    topic, room = " ".join(data.topic.split()), " ".join(data.room.split())
    if not topic or not room:
        raise DomainError(_("Donnez le thème et la salle de la session."))
    if not 1 <= data.places <= 500:
        raise DomainError(_("Le nombre de places va de 1 à 500."))
    if not 1 <= data.minutes <= 12 * 60:
        raise DomainError(_("La durée doit être comprise entre 1 minute et 12 heures."))
    if data.starts_at <= timezone.now():
        raise DomainError(_("Une session se propose pour une date à venir."))
    return TeamSession.objects.create(
        school=school,
        school_year=school_year,
        referent=referent,
        topic=topic[:200],
        starts_at=data.starts_at,
        minutes=data.minutes,
        room=room[:100],
        places=data.places,
    )


@transaction.atomic
def team_session_register(*, session: TeamSession, by) -> TeamSessionRegistration:
    """A teacher takes a place; DomainError when the session is full (the count is read under a lock)."""
    locked = TeamSession.objects.select_for_update().get(pk=session.pk)
    if Perm.ATTEND_SESSIONS not in school_perms(by, locked.school):
        raise DomainError(_("Seuls les enseignants de l'établissement s'inscrivent aux sessions."))
    if locked.starts_at <= timezone.now():
        raise DomainError(_("Cette session a déjà eu lieu."))
    person = author_person(by, locked.school)
    existing = TeamSessionRegistration.objects.filter(session=locked, person=person).first()
    if existing is not None:
        return existing
    if TeamSessionRegistration.objects.filter(session=locked).count() >= locked.places:
        raise DomainError(_("Cette session est complète : toutes les places sont prises."))
    return TeamSessionRegistration.objects.create(session=locked, person=person)


@transaction.atomic
def team_session_unregister(*, session: TeamSession, by) -> None:
    """A teacher gives their place back (before the session)."""
    locked = TeamSession.objects.select_for_update().get(pk=session.pk)
    if locked.starts_at <= timezone.now():
        raise DomainError(_("Cette session a déjà eu lieu."))
    TeamSessionRegistration.objects.filter(session=locked, person__user=by).delete()


@transaction.atomic
def team_session_record_attendance(*, session: TeamSession, present_ids: set[int], by) -> int:
    """The referent who ran the session records who came; the first time, the session is logged as "formation
    animée" in their activity. Returns how many were present."""
    locked = TeamSession.objects.select_for_update(of=("self",)).select_related("referent").get(pk=session.pk)
    if locked.referent.user_id != by.pk:
        raise DomainError(_("Seul le référent qui anime la session note les présences."))
    if locked.starts_at > timezone.now():
        raise DomainError(_("Les présences se notent une fois la session commencée."))
    registrations = list(TeamSessionRegistration.objects.filter(session=locked).order_by("pk"))
    for registration in registrations:
        registration.attended = registration.pk in present_ids
    TeamSessionRegistration.objects.bulk_update(registrations, ["attended"])
    present = sum(1 for r in registrations if r.attended)
    if locked.attendance_recorded_at is None:
        locked.attendance_recorded_at = timezone.now()
        locked.save(update_fields=["attendance_recorded_at"])
        activity_create(
            person=locked.referent,
            data=ActivityInput(
                mission=Mission.objects.get(code="support_teams"),
                date=timezone.localdate(locked.starts_at),
                minutes=locked.minutes,
                kind=ActivityEntry.Kind.TRAINING_GIVEN,
                description=_("Session de prise en main « %(topic)s » (%(count)s participant(s))")
                % {"topic": locked.topic, "count": present},
            ),
            by=by,
        )
    return present
