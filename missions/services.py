"""Changes to allocation plans: each service is one transaction and raises DomainError in French."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from missions.models import AllocationPlan, Mission, PlanRow
from missions.selectors import authorized_actions as school_authorized_actions
from missions.selectors import catalogue, plan_check, plan_for, school_staff
from rupn.errors import ConflictError, DomainError
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


def plan_get_or_create(*, school: School, school_year: SchoolYear) -> AllocationPlan:
    """The school's plan for the year, created as a draft with one row per catalogue mission."""
    with transaction.atomic():
        plan, created = AllocationPlan.objects.get_or_create(school=school, school_year=school_year)
        if created:
            PlanRow.objects.bulk_create(
                PlanRow(plan=plan, mission=mission, organisation=mission.proposed_organisation)
                for mission in Mission.objects.filter(kind=Mission.Kind.STANDARD).order_by("position")
            )
    return plan


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
                    existing[data.row_id].delete()
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
            row = PlanRow.objects.create(plan=plan, mission=mission, service_name=service_name)
        row.service_name = service_name
        row.organisation = data.organisation.strip()
        row.sharing = data.sharing
        row.sharing_detail = data.sharing_detail.strip() if data.sharing else ""
        to_update.append(row)
        keep[row.pk] = data.holder_ids

    PlanRow.objects.bulk_update(to_update, ["service_name", "organisation", "sharing", "sharing_detail"])
    through = PlanRow.holders.through
    through.objects.filter(planrow__plan=plan).delete()
    through.objects.bulk_create(
        through(planrow_id=row_id, person_id=person_id) for row_id, people in keep.items() for person_id in people
    )
    plan.refresh_from_db()
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
    locked.save(update_fields=["state", "submitted_at", "submitted_by", "updated_by", "version", "updated_at"])
    locked.refresh_from_db()
    notify_plan_submitted.delay_on_commit(locked.pk)
    return locked
