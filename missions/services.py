"""Changes to allocation plans: each service is one transaction and raises DomainError in French."""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from missions.models import ActivityEntry, AllocationPlan, Event, EventRegistration, Mission, PlanRow, Review
from missions.selectors import authorized_actions as school_authorized_actions
from missions.selectors import catalogue, plan_check, plan_for, school_staff
from rupn.lib.audit import as_user, history_record, history_record_if_changed
from rupn.lib.errors import ConflictError, DomainError
from schools.models import Academie, Person, Role, School, SchoolYear, User


@dataclass
class RowInput:
    """What the principal typed for one row; row_id None for a new service row."""

    mission_code: str
    row_id: int | None = None
    service_name: str = ""
    organisation: str = ""
    sharing: str = ""
    sharing_detail: str = ""
    holder_ids: set[int] = field(default_factory=set)


def plan_get_or_create(*, school: School, school_year: SchoolYear) -> AllocationPlan:
    """The school's plan for the year, created as a draft with one row per catalogue mission."""
    with transaction.atomic():
        plan, created = AllocationPlan.objects.get_or_create(school=school, school_year=school_year)
        if created:
            rows = PlanRow.objects.bulk_create(
                PlanRow(plan=plan, mission=mission, organisation=mission.proposed_organisation)
                for mission in Mission.objects.filter(kind=Mission.Kind.STANDARD).order_by("position")
            )
            _record_rows(rows, [], by=None, created=True)
    return plan


def _record_rows(rows: list[PlanRow], holder_links: list, *, by, created: bool) -> None:
    """History of rows written in bulk, each with its holders (the through rows of holder_links)."""
    records = history_record(rows, by=by, created=created)
    by_row: dict[int, list] = {}
    for link in holder_links:
        by_row.setdefault(link.planrow_id, []).append(link)
    holders_history = apps.get_model("missions", "HistoricalPlanRow_holders")
    holders_history.objects.bulk_create(
        holders_history(history=record, id=link.pk, planrow_id=link.planrow_id, person_id=link.person_id)
        for record in records
        for link in by_row.get(record.id, [])
    )


def _row_state(row: PlanRow) -> tuple:
    return (row.service_name, row.organisation, row.sharing, row.sharing_detail)


def _conflict_message(plan: AllocationPlan) -> str:
    current = AllocationPlan.objects.select_related("updated_by").get(pk=plan.pk)
    who = current.updated_by.get_full_name() if current.updated_by else _("un autre utilisateur")
    when = timezone.localtime(current.updated_at).strftime("%H:%M")
    return _(
        "Ce plan a été enregistré par %(who)s à %(when)s pendant que vous le modifiiez. "
        "Rien n'a été enregistré : vos saisies sont conservées ci-dessous. Vérifiez-les au regard "
        "du plan actuel, puis enregistrez à nouveau."
    ) % {"who": who, "when": when}


@transaction.atomic
def plan_save(
    *, plan: AllocationPlan, expected_version: int, has_tablets: bool, rows: list[RowInput], by
) -> AllocationPlan:
    """Save a draft of the plan; refused if someone saved it since expected_version."""
    updated = AllocationPlan.objects.filter(pk=plan.pk, version=expected_version).update(
        version=F("version") + 1,
        has_tablets=has_tablets,
        updated_by=by,
        updated_at=timezone.now(),
        state=AllocationPlan.State.DRAFT,
        submitted_at=None,
        submitted_by=None,
    )
    if not updated:
        raise ConflictError(_conflict_message(plan))

    existing = {row.pk: row for row in PlanRow.objects.filter(plan=plan).select_related("mission")}
    through = PlanRow.holders.through
    before = {pk: (_row_state(row), set()) for pk, row in existing.items()}
    old_links = through.objects.filter(planrow_id__in=list(existing)).order_by("pk")
    for row_id, person_id in old_links.values_list("planrow_id", "person_id"):
        before[row_id][1].add(person_id)
    missions = {m.code: m for m in Mission.objects.all()}
    allowed_people = set(Person.objects.filter(school_id=plan.school_id).values_list("pk", flat=True).order_by("pk"))
    seen_services: set[str] = set()
    keep: dict[int, set[int]] = {}
    to_update: list[PlanRow] = []
    for data in rows:
        if not data.holder_ids <= allowed_people:
            raise DomainError(_("Une personne choisie ne fait pas partie du personnel de l'établissement."))
        mission = missions.get(data.mission_code)
        if mission is None or mission.kind in (Mission.Kind.GROUP, Mission.Kind.DERIVED):
            raise DomainError(_("Cette ligne ne fait pas partie du catalogue des missions."))
        service_name = data.service_name.strip() if mission.kind == Mission.Kind.PER_SERVICE else ""
        if mission.kind == Mission.Kind.PER_SERVICE:
            if not service_name and not data.holder_ids:
                if data.row_id in existing:
                    as_user(existing[data.row_id], by).delete()
                continue
            if service_name.casefold() in seen_services:
                raise DomainError(_("Le service « %(name)s » figure deux fois.") % {"name": service_name})
            seen_services.add(service_name.casefold())
        if data.row_id is not None:
            row = existing.get(data.row_id)
            if row is None or row.mission_id != mission.pk:
                raise ConflictError(_conflict_message(plan))
        else:
            if mission.kind != Mission.Kind.PER_SERVICE:
                raise DomainError(_("Cette ligne existe déjà dans le plan."))
            row = PlanRow(plan=plan, mission=mission, service_name=service_name)
            row.skip_history_when_saving = True  # recorded below, with its holders
            row.save(force_insert=True)
            del row.skip_history_when_saving
        row.service_name = service_name
        row.organisation = data.organisation.strip()
        row.sharing = data.sharing
        row.sharing_detail = data.sharing_detail.strip() if data.sharing else ""
        if data.holder_ids:  # the row left by someone who moved away has a holder again
            row.left_by = ""
        to_update.append(row)
        keep[row.pk] = data.holder_ids

    PlanRow.objects.bulk_update(to_update, ["service_name", "organisation", "sharing", "sharing_detail", "left_by"])
    # By row ids, not through a join on the plan: one index scan whatever the table statistics say.
    through.objects.filter(planrow_id__in=list(existing)).delete()
    links = through.objects.bulk_create(
        through(planrow_id=row_id, person_id=person_id) for row_id, people in keep.items() for person_id in people
    )
    # The audit: a history row for each row created or changed (fields or holders), none for the rows left as
    # they were. The plan's row is under our UPDATE's lock: what we read back is what we wrote.
    new_rows = [row for row in to_update if row.pk not in before]
    changed_rows = [row for row in to_update if row.pk in before and before[row.pk] != (_row_state(row), keep[row.pk])]
    _record_rows(new_rows, links, by=by, created=True)
    _record_rows(changed_rows, links, by=by, created=False)
    plan.refresh_from_db()
    history_record_if_changed(plan, by=by)
    return plan


@transaction.atomic
def plan_submit(*, plan: AllocationPlan, by) -> AllocationPlan:
    """Submit the plan to the conseil d'administration; refused while a blocking rule fails."""
    from missions.tasks import notify_plan_submitted

    locked = AllocationPlan.objects.select_for_update().get(pk=plan.pk)
    fresh = plan_for(locked.school, locked.school_year)
    named = {h.pk for row in fresh.rows.all() for h in row.holders.all()}
    staff = school_staff(fresh.school, include_ids=named)
    check = plan_check(fresh, catalogue(), staff, school_authorized_actions(fresh.school, fresh.school_year))
    if check.has_blocking:
        raise DomainError(
            _(
                "Le plan ne peut pas être soumis au conseil d'administration tant que ces règles ne sont pas respectées."
            ),
            messages=[m.text for m in check.blocking_messages],
        )
    locked.state = AllocationPlan.State.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = by
    locked.updated_by = by
    locked.version = F("version") + 1
    as_user(locked, by).save(
        update_fields=["state", "submitted_at", "submitted_by", "updated_by", "version", "updated_at"]
    )
    locked.refresh_from_db()
    notify_plan_submitted.delay_on_commit(locked.pk)
    return locked


# --- the rentrée: next year's draft from the last plan ----------------------------------------------------------


def plan_rollover_source(*, school: School, school_year: SchoolYear) -> AllocationPlan | None:
    """The school's latest plan of a year before school_year: what a rollover copies."""
    return (
        AllocationPlan.objects.filter(school=school, school_year__start_year__lt=school_year.start_year)
        .select_related("school_year")
        .order_by("-school_year__start_year")
        .first()
    )


@transaction.atomic
def plan_rollover(*, school: School, school_year: SchoolYear, by=None) -> AllocationPlan:
    """Create the school's draft for school_year from its last plan, without the people who leave or left.

    Rows those people held are flagged (PlanRow.left_by) so that the principal sees what to fill. IMP awards
    belong to the imp app and are never copied.
    """
    source = plan_rollover_source(school=school, school_year=school_year)
    if source is None:
        raise DomainError(_("Aucun plan d'une année précédente n'est à reprendre pour cet établissement."))
    source_rows = list(
        PlanRow.objects.filter(plan=source)
        .select_related("mission")
        .prefetch_related("holders")
        .order_by("mission__position", "service_name", "pk")
    )
    try:
        with transaction.atomic():
            plan = AllocationPlan(
                school=school,
                school_year=school_year,
                has_tablets=source.has_tablets,
                copied_from=source,
                updated_by=by,
            )
            as_user(plan, by).save(force_insert=True)
    except IntegrityError:
        raise DomainError(
            _("Un plan existe déjà pour %(year)s : il n'est pas remplacé.") % {"year": school_year.name}
        ) from None
    by_mission = {(row.mission_id, row.service_name): row for row in source_rows}
    new_rows: list[tuple[PlanRow, list[Person]]] = []
    for mission in Mission.objects.filter(kind=Mission.Kind.STANDARD).order_by("position"):
        old = by_mission.pop((mission.pk, ""), None)
        new_rows.append(_copied_row(plan, mission, old))
    for (_mission_id, service_name), old in by_mission.items():
        if old.mission.kind == Mission.Kind.PER_SERVICE and service_name:
            new_rows.append(_copied_row(plan, old.mission, old))
    rows = PlanRow.objects.bulk_create([row for row, _people in new_rows])
    through = PlanRow.holders.through
    links = through.objects.bulk_create(
        through(planrow_id=row.pk, person_id=person.pk) for row, people in new_rows for person in people
    )
    _record_rows(rows, links, by=by, created=True)
    return plan


def _stays(person: Person) -> bool:
    return person.is_active and not person.leaving


def _copied_row(plan: AllocationPlan, mission: Mission, old: PlanRow | None) -> tuple[PlanRow, list[Person]]:
    if old is None:
        return PlanRow(plan=plan, mission=mission, organisation=mission.proposed_organisation), []
    holders = sorted(old.holders.all(), key=lambda p: (p.last_name, p.first_name, p.pk))
    gone = [p.full_name for p in holders if not _stays(p)]
    row = PlanRow(
        plan=plan,
        mission=mission,
        service_name=old.service_name,
        organisation=old.organisation,
        sharing=old.sharing,
        sharing_detail=old.sharing_detail,
        left_by=", ".join(gone)[:300],
    )
    return row, [p for p in holders if _stays(p)]


# --- the referents' activity log -------------------------------------------------------------------------------


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


# --- points d'étape ------------------------------------------------------------------------------------------


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


def _review_conflict(review: Review) -> ConflictError:
    current = Review.objects.select_related("updated_by").get(pk=review.pk)
    who = current.updated_by.get_full_name() if current.updated_by else _("un autre utilisateur")
    when = timezone.localtime(current.updated_at).strftime("%H:%M")
    return ConflictError(
        _(
            "Ce point d'étape a été enregistré par %(who)s à %(when)s pendant que vous le modifiiez. "
            "Rien n'a été enregistré : vos saisies sont conservées ci-dessous. Relisez-les, puis enregistrez à nouveau."
        )
        % {"who": who, "when": when}
    )


@transaction.atomic
def review_reschedule(*, review: Review, expected_version: int, data: ReviewSchedule, by) -> Review:
    """Change the date, place or participants of a point d'étape not yet done."""
    if review.state == Review.State.DONE:
        raise DomainError(_("Ce point d'étape a eu lieu : son compte rendu est saisi, sa date ne change plus."))
    _check_schedule(review.school, review.school_year, data)
    updated = Review.objects.filter(pk=review.pk, version=expected_version, state=Review.State.SCHEDULED).update(
        version=F("version") + 1,
        date=data.date,
        place=data.place.strip(),
        principal=data.principal,
        dane_adviser=data.dane_adviser,
        updated_by=by,
        updated_at=timezone.now(),
    )
    if not updated:
        raise _review_conflict(review)
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
    updated = Review.objects.filter(pk=review.pk, version=expected_version).update(
        version=F("version") + 1,
        state=Review.State.DONE,
        done_at=review.done_at or timezone.now(),
        updated_by=by,
        updated_at=timezone.now(),
        **texts,
    )
    if not updated:
        raise _review_conflict(review)
    review.refresh_from_db()
    return review


@transaction.atomic
def review_delete(*, review: Review, by) -> None:
    """Remove a point d'étape scheduled by mistake (never one whose minutes are recorded)."""
    if Review.objects.filter(pk=review.pk, state=Review.State.DONE).exists():
        raise DomainError(_("Ce point d'étape a eu lieu : son compte rendu est conservé."))
    Review.objects.filter(pk=review.pk, state=Review.State.SCHEDULED).delete()


# --- the DANE's events ---------------------------------------------------------------------------------------


@dataclass
class EventInput:
    kind: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    audience: str = Event.Audience.ALL
    description: str = ""
    place: str = ""
    link: str = ""
    capacity: int | None = None


def _check_event(data: EventInput) -> None:
    if data.ends_at <= data.starts_at:
        raise DomainError(_("La fin doit suivre le début de l'événement."))
    if not (data.place.strip() or data.link.strip()):
        raise DomainError(_("Indiquez le lieu, ou le lien de la classe virtuelle."))
    if data.capacity is not None and data.capacity < 1:
        raise DomainError(_("Le nombre de places est d'au moins 1 (laissez vide : sans limite)."))


@transaction.atomic
def event_create(*, academie: Academie, data: EventInput, by) -> Event:
    """Publish an event of the DANE for the académie's referents."""
    _check_event(data)
    return Event.objects.create(
        academie=academie,
        kind=data.kind,
        title=data.title.strip(),
        description=data.description.strip(),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        place=data.place.strip(),
        link=data.link.strip(),
        capacity=data.capacity,
        audience=data.audience,
        created_by=by,
    )


@transaction.atomic
def event_update(*, event: Event, data: EventInput, by) -> Event:
    """Change an event; its capacity may not fall below the people already registered."""
    _check_event(data)
    locked = Event.objects.select_for_update().get(pk=event.pk)
    registered = EventRegistration.objects.filter(event=locked).count()
    if data.capacity is not None and data.capacity < registered:
        raise DomainError(
            _("%(count)d personnes sont déjà inscrites : le nombre de places ne peut pas être inférieur.")
            % {"count": registered}
        )
    for name in ("kind", "title", "description", "place", "link"):
        setattr(locked, name, getattr(data, name).strip())
    locked.starts_at, locked.ends_at = data.starts_at, data.ends_at
    locked.capacity, locked.audience = data.capacity, data.audience
    locked.save()
    return locked


def event_audience_q(event: Event) -> Q:
    """The referent roles that may register for this event (its académie, and its audience)."""
    q = Q(kind=Role.Kind.REFERENT, school__departement__academie_id=event.academie_id)
    if event.audience == Event.Audience.COLLEGES:
        q &= Q(school__kind=School.Kind.COLLEGE)
    elif event.audience == Event.Audience.LYCEES:
        q &= ~Q(school__kind=School.Kind.COLLEGE)
    return q


@transaction.atomic
def event_register(*, event: Event, user) -> EventRegistration:
    """Register a referent; the event row is locked so that two people never take the last seat together."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.starts_at <= timezone.now():
        raise DomainError(_("Les inscriptions sont closes : l'événement a commencé."))
    if not user.roles.filter(event_audience_q(locked)).exists():
        raise DomainError(
            _("Cet événement s'adresse aux %(audience)s de l'académie.")
            % {"audience": locked.get_audience_display().lower()}
        )
    if EventRegistration.objects.filter(event=locked, user=user).exists():
        raise DomainError(_("Vous êtes déjà inscrit(e) à cet événement."))
    if locked.capacity is not None and EventRegistration.objects.filter(event=locked).count() >= locked.capacity:
        raise DomainError(_("Cet événement est complet : il ne reste aucune place."))
    return EventRegistration.objects.create(event=locked, user=user)


@transaction.atomic
def event_unregister(*, event: Event, user) -> None:
    """Withdraw a registration, before the event starts."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.starts_at <= timezone.now():
        raise DomainError(_("L'événement a commencé : l'inscription ne peut plus être retirée."))
    deleted, _details = EventRegistration.objects.filter(event=locked, user=user).delete()
    if not deleted:
        raise DomainError(_("Vous n'êtes pas inscrit(e) à cet événement."))


@transaction.atomic
def event_record_attendance(*, event: Event, present_user_ids: set[int], by) -> int:
    """Record who attended, once the event has started; returns how many were present."""
    if event.starts_at > timezone.now():
        raise DomainError(_("Les présences se notent une fois l'événement commencé."))
    registrations = EventRegistration.objects.filter(event=event)
    registered = set(registrations.values_list("user_id", flat=True).order_by())
    if not present_user_ids <= registered:
        raise DomainError(_("Une personne cochée n'est pas inscrite à cet événement."))
    registrations.filter(user_id__in=present_user_ids).update(attended=True)
    registrations.exclude(user_id__in=present_user_ids).update(attended=False)
    return len(present_user_ids)
