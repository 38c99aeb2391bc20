"""Changes to the activity log and the points d'étape: keyword-only, one transaction, DomainError on refusal."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from activity.models import ActivityEntry, Review
from missions.models import Mission
from rupn.lib.concurrency import VersionConflict, versioned_update
from rupn.lib.errors import DomainError
from schools.models import Person, Role, School, SchoolYear, User


@dataclass
class ActivityInput:
    """One activity as the referent typed it."""

    mission: Mission
    date: datetime.date
    minutes: int
    kind: str
    description: str
    ticket_number: str = ""
    ticket_url: str = ""


def _clean_activity(data: ActivityInput) -> ActivityInput:
    if data.mission.kind == Mission.Kind.GROUP:
        raise DomainError(_("Choisissez une mission, pas un groupe de missions."))
    if data.date > timezone.localdate():
        raise DomainError(_("La date ne peut pas être dans le futur : on note une activité une fois faite."))
    if not 1 <= data.minutes <= ActivityEntry.MAX_MINUTES:
        raise DomainError(_("La durée doit être comprise entre 1 minute et 12 heures."))
    if data.kind not in ActivityEntry.Kind.values:
        raise DomainError(_("Choisissez la nature de l'activité dans la liste."))
    if data.kind == ActivityEntry.Kind.TICKET:
        if not data.ticket_number.strip():
            raise DomainError(_("Indiquez le numéro du ticket transmis au prestataire."))
    else:
        data.ticket_number, data.ticket_url = "", ""
    if not data.description.strip():
        raise DomainError(_("Décrivez en quelques mots ce qui a été fait."))
    data.description = data.description.strip()
    data.ticket_number = data.ticket_number.strip()
    return data


def _own_person(person: Person, by) -> None:
    if person.user_id is None or person.user_id != by.pk:
        raise DomainError(_("On ne peut noter que sa propre activité."))


@transaction.atomic
def activity_create(*, person: Person, data: ActivityInput, by) -> ActivityEntry:
    """Log an activity of the referent (person must be the account's own Person)."""
    _own_person(person, by)
    data = _clean_activity(data)
    return ActivityEntry.objects.create(
        person=person,
        mission=data.mission,
        date=data.date,
        minutes=data.minutes,
        kind=data.kind,
        description=data.description,
        ticket_number=data.ticket_number,
        ticket_url=data.ticket_url,
    )


@transaction.atomic
def activity_update(*, entry: ActivityEntry, person: Person, data: ActivityInput, by) -> ActivityEntry:
    """Change one of the referent's own entries (possibly moving it to another of their schools)."""
    _own_person(entry.person, by)
    _own_person(person, by)
    data = _clean_activity(data)
    entry.person = person
    entry.mission = data.mission
    entry.date = data.date
    entry.minutes = data.minutes
    entry.kind = data.kind
    entry.description = data.description
    entry.ticket_number = data.ticket_number
    entry.ticket_url = data.ticket_url
    entry.save()
    return entry


@transaction.atomic
def activity_delete(*, entry: ActivityEntry, by) -> None:
    """Delete one of the referent's own entries."""
    _own_person(entry.person, by)
    entry.delete()


@dataclass
class ReviewSchedule:
    """When and with whom a point d'étape takes place."""

    date: datetime.date
    place: str = ""
    principal: User | None = None
    dane_adviser: User | None = None
    referents: list[Person] = field(default_factory=list)


def _check_schedule(school: School, school_year: SchoolYear, data: ReviewSchedule) -> None:
    if not school_year.start_date <= data.date <= school_year.end_date:
        raise DomainError(
            _("La date doit tomber dans l'année scolaire %(year)s (du 1er septembre au 31 août).")
            % {"year": school_year.name}
        )
    if (
        data.principal
        and not Role.objects.filter(user=data.principal, kind=Role.Kind.PRINCIPAL, school=school).exists()
    ):
        raise DomainError(_("Le chef d'établissement choisi ne dirige pas cet établissement."))
    if (
        data.dane_adviser
        and not Role.objects.filter(
            user=data.dane_adviser, kind=Role.Kind.DANE, academie_id=school.departement.academie_id
        ).exists()
    ):
        raise DomainError(_("Le conseiller choisi n'appartient pas à la DANE de l'académie."))
    if any(person.school_id != school.pk for person in data.referents):
        raise DomainError(_("Un référent choisi ne fait pas partie du personnel de l'établissement."))


@transaction.atomic
def review_schedule(*, school: School, school_year: SchoolYear, data: ReviewSchedule, by) -> Review:
    """Schedule a point d'étape of the school for the year."""
    _check_schedule(school, school_year, data)
    review = Review.objects.create(
        school=school,
        school_year=school_year,
        date=data.date,
        place=data.place.strip(),
        principal=data.principal,
        dane_adviser=data.dane_adviser,
        created_by=by,
        updated_by=by,
    )
    review.referents.set(data.referents)
    return review


def _review_conflict(review: Review) -> VersionConflict:
    current = Review.objects.select_related("updated_by").get(pk=review.pk)
    who = current.updated_by.get_full_name() if current.updated_by else None
    return VersionConflict(who=who, when=current.updated_at, version=current.version)


@transaction.atomic
def review_reschedule(*, review: Review, expected_version: int, data: ReviewSchedule, by) -> Review:
    """Change the date, place or participants of a point d'étape not yet done."""
    if review.state == Review.State.DONE:
        raise DomainError(_("Ce point d'étape a eu lieu : son compte rendu est saisi, sa date ne change plus."))
    _check_schedule(review.school, review.school_year, data)
    versioned_update(
        Review.objects.filter(state=Review.State.SCHEDULED),
        pk=review.pk,
        version=expected_version,
        conflict=lambda: _review_conflict(review),
        date=data.date,
        place=data.place.strip(),
        principal=data.principal,
        dane_adviser=data.dane_adviser,
        updated_by=by,
        updated_at=timezone.now(),
    )
    review.referents.set(data.referents)
    review.refresh_from_db()
    return review


@dataclass
class ReviewMinutes:
    achievements: str = ""
    difficulties: str = ""
    decisions: str = ""
    training_needs: str = ""


@transaction.atomic
def review_record_minutes(*, review: Review, expected_version: int, minutes: ReviewMinutes, by) -> Review:
    """Record (or correct) the minutes of a point d'étape that took place: the review is then done."""
    if review.date > timezone.localdate():
        raise DomainError(
            _("Ce point d'étape est prévu le %(date)s : son compte rendu se saisit une fois la rencontre faite.")
            % {"date": formats.date_format(review.date, "j F Y")}
        )
    texts = {name: getattr(minutes, name).strip() for name in ("achievements", "difficulties", "decisions")}
    texts["training_needs"] = minutes.training_needs.strip()
    if not any(texts.values()):
        raise DomainError(_("Le compte rendu est vide : notez au moins ce qui a été fait ou décidé."))
    versioned_update(
        Review.objects,
        pk=review.pk,
        version=expected_version,
        conflict=lambda: _review_conflict(review),
        state=Review.State.DONE,
        done_at=review.done_at or timezone.now(),
        updated_by=by,
        updated_at=timezone.now(),
        **texts,
    )
    review.refresh_from_db()
    return review


@transaction.atomic
def review_delete(*, review: Review, by) -> None:
    """Remove a point d'étape scheduled by mistake (never one whose minutes are recorded)."""
    if Review.objects.filter(pk=review.pk, state=Review.State.DONE).exists():
        raise DomainError(_("Ce point d'étape a eu lieu : son compte rendu est conservé."))
    Review.objects.filter(pk=review.pk, state=Review.State.SCHEDULED).delete()
