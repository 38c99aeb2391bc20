"""Changes to allocation plans: each service is one transaction and raises DomainError in French."""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from missions.models import (
    AllocationPlan,
    Mission,
    PlanRow,
)
from missions.plan_emails import notify_plan_submitted
from missions.selectors import authorized_actions as school_authorized_actions
from missions.selectors import catalogue, plan_check, plan_for, school_staff
from notifications.outbox import outbox_enqueue
from rupn.lib.audit import as_user, history_record, history_record_if_changed
from rupn.lib.concurrency import Current, VersionConflict, save_merged, versioned_update
from rupn.lib.errors import DomainError
from schools.models import Person, School, SchoolYear


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


def plan_get_or_create(*, school: School, school_year: SchoolYear, by=None) -> AllocationPlan:
    """The school's plan for the year, created as a draft with one row per catalogue mission ("Partir d'un tableau
    vide": only ever on a POST, never because a page was opened)."""
    with transaction.atomic():
        plan = AllocationPlan.objects.filter(school=school, school_year=school_year).first()
        if plan is not None:
            return plan
        try:
            with transaction.atomic():
                plan = AllocationPlan(school=school, school_year=school_year, updated_by=by)
                as_user(plan, by).save(force_insert=True)
        except IntegrityError:  # someone started it at the same moment: theirs it is
            return AllocationPlan.objects.get(school=school, school_year=school_year)
        rows = PlanRow.objects.bulk_create(_empty_rows(plan))
        _record_rows(rows, [], by=by, created=True)
    return plan


def _empty_rows(plan: AllocationPlan) -> list[PlanRow]:
    return [
        PlanRow(plan=plan, mission=mission, organisation=mission.proposed_organisation)
        for mission in Mission.objects.filter(kind=Mission.Kind.STANDARD).order_by("position")
    ]


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


def _plan_conflict(plan: AllocationPlan) -> VersionConflict:
    current = AllocationPlan.objects.select_related("updated_by").get(pk=plan.pk)
    return VersionConflict(
        who=current.updated_by.get_full_name() if current.updated_by else None,
        when=current.updated_at,
        version=current.version,
    )


def _submitted_refusal(plan: AllocationPlan) -> DomainError | None:
    """The refusal of a save on a submitted plan (None for a draft)."""
    if not AllocationPlan.objects.filter(pk=plan.pk, state=AllocationPlan.State.SUBMITTED).exists():
        return None
    return DomainError(
        _(
            "Le plan est soumis au conseil d'administration : rien n'a été enregistré. Pour le changer, "
            "choisissez « Modifier le plan soumis » (il redeviendra un brouillon à soumettre de nouveau)."
        )
    )


def _plan_save_refused(plan: AllocationPlan) -> Exception:
    """Why a save matched no row: the plan was submitted meanwhile (DomainError), or someone saved since."""
    return _submitted_refusal(plan) or _plan_conflict(plan)


PLAN_KEY = "plan"  # the row of the plan's own fields in plan_values


def plan_row_values(row: PlanRow) -> dict:
    """A row's fields as the allocation form edits them (canonical: holders as sorted strings)."""
    values = {
        "mission": row.mission.code,
        "organisation": row.organisation,
        "sharing": row.sharing,
        "sharing_detail": row.sharing_detail,
        "holders": sorted(str(h.pk) for h in row.holders.all()),
    }
    if row.mission.kind == Mission.Kind.PER_SERVICE:
        values["service_name"] = row.service_name
    return values


def plan_values(plan: AllocationPlan) -> dict:
    """The plan as the allocation form edits it: its own fields, then each row by its form key ("row-<pk>")."""
    return {PLAN_KEY: {"has_tablets": plan.has_tablets}} | {
        f"row-{row.pk}": plan_row_values(row) for row in plan.rows.all()
    }


def plan_current(plan: AllocationPlan) -> Current:
    """The plan as saved now, for a merge (concurrency.save_merged)."""
    rows = PlanRow.objects.filter(plan_id=plan.pk).select_related("mission").prefetch_related("holders")
    current = AllocationPlan.objects.select_related("updated_by").get(pk=plan.pk)
    values = {PLAN_KEY: {"has_tablets": current.has_tablets}} | {
        f"row-{row.pk}": plan_row_values(row) for row in rows.order_by("mission__position", "service_name", "pk")
    }
    return Current(
        version=current.version,
        values=values,
        who=current.updated_by.get_full_name() if current.updated_by else None,
        when=current.updated_at,
    )


def plan_inputs(values: dict, *, existing_ids: set[int]) -> tuple[bool, list[tuple[str, RowInput]]]:
    """has_tablets and the rows (by form key) of merged plan values; a row removed meanwhile that the user kept
    is created again."""
    rows = []
    for key, data in values.items():
        if key == PLAN_KEY or "mission" not in data:
            continue
        row_id = int(key[4:]) if key.startswith("row-") and key[4:].isdecimal() else None
        rows.append(
            (
                key,
                RowInput(
                    mission_code=data["mission"],
                    row_id=row_id if row_id in existing_ids else None,
                    service_name=data.get("service_name") or "",
                    organisation=data.get("organisation") or "",
                    sharing=data.get("sharing") or "",
                    sharing_detail=data.get("sharing_detail") or "",
                    holder_ids={int(pk) for pk in data.get("holders") or []},
                ),
            )
        )
    return bool(values.get(PLAN_KEY, {}).get("has_tablets")), rows


def plan_save_merged(
    *, plan: AllocationPlan, token: str | None, version: int | None, mine: dict, choices, by
) -> AllocationPlan:
    """Save what the user posted (plan values, see plan_values) onto the current version of the plan: the rows
    and fields someone else changed since the user's base are kept, the user's own changes applied; a field both
    changed differently raises VersionConflict with the clashes, and nothing is saved (rupn.lib.concurrency).
    A submitted plan is refused before any merge (DomainError)."""
    refusal = _submitted_refusal(plan)
    if refusal is not None:
        raise refusal

    def save(current_version: int, values: dict) -> AllocationPlan:
        existing = set(PlanRow.objects.filter(plan_id=plan.pk).values_list("pk", flat=True).order_by("pk"))
        has_tablets, rows = plan_inputs(values, existing_ids=existing)
        return plan_save(
            plan=plan,
            expected_version=current_version,
            has_tablets=has_tablets,
            rows=[row for _key, row in rows],
            by=by,
        )

    return save_merged(
        token=token,
        salt=f"plan:{plan.pk}",
        version=version,
        mine=mine,
        data=choices,
        load=lambda: plan_current(plan),
        save=save,
    )


@transaction.atomic
def plan_save(
    *, plan: AllocationPlan, expected_version: int, has_tablets: bool, rows: list[RowInput], by
) -> AllocationPlan:
    """Save a draft of the plan; VersionConflict if someone saved it since expected_version (plan_save_merged
    merges instead). A submitted plan is refused: it is changed only after plan_reopen ("Modifier le plan
    soumis"), never turned back into a draft by a save."""
    versioned_update(
        AllocationPlan.objects.filter(state=AllocationPlan.State.DRAFT),
        pk=plan.pk,
        version=expected_version,
        conflict=lambda: _plan_save_refused(plan),
        has_tablets=has_tablets,
        updated_by=by,
        updated_at=timezone.now(),
    )

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
                raise _plan_conflict(plan)
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
    outbox_enqueue(notify_plan_submitted, locked.pk)  # kept if the broker is down, sent once it is back
    return locked


@transaction.atomic
def plan_reopen(*, plan: AllocationPlan, by) -> AllocationPlan:
    """Reopen ("Modifier le plan soumis"): the submitted plan becomes a draft again (recorded in its history); it must be
    submitted again, and the CA's opinion given before then belongs to the earlier version."""
    updated = AllocationPlan.objects.filter(pk=plan.pk, state=AllocationPlan.State.SUBMITTED).update(
        state=AllocationPlan.State.DRAFT,
        submitted_at=None,
        submitted_by=None,
        updated_by=by,
        updated_at=timezone.now(),
        version=F("version") + 1,
    )
    if not updated:
        raise DomainError(_("Ce plan n'est pas soumis au conseil d'administration : il se modifie directement."))
    fresh = AllocationPlan.objects.get(pk=plan.pk)
    history_record([fresh], by=by)
    return fresh


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

    A plan of the year started empty and never saved since (AllocationPlan.untouched) is replaced by the copy;
    any other plan of the year is kept and the copy refused. Rows those people held are flagged (PlanRow.left_by)
    so that the principal sees what to fill. IMP awards belong to the imp app and are never copied.
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
    plan = _rollover_target(school=school, school_year=school_year, source=source, by=by)
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


def _rollover_target(*, school: School, school_year: SchoolYear, source: AllocationPlan, by) -> AllocationPlan:
    """The plan the copy goes into: a new one, or the year's untouched empty plan emptied of its rows (locked, and
    its version raised so that a table still open on the empty plan cannot save over the copy)."""
    existing = AllocationPlan.objects.select_for_update().filter(school=school, school_year=school_year).first()
    if existing is not None:
        if not existing.untouched:
            raise DomainError(
                _("Un plan existe déjà pour %(year)s : il n'est pas remplacé.") % {"year": school_year.name}
            )
        for row in PlanRow.objects.filter(plan=existing).order_by("pk"):
            as_user(row, by).delete()
        existing.has_tablets = source.has_tablets
        existing.copied_from = source
        existing.updated_by = by
        existing.version = F("version") + 1
        as_user(existing, by).save(update_fields=["has_tablets", "copied_from", "updated_by", "version", "updated_at"])
        existing.refresh_from_db()
        return existing
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
