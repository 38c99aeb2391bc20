"""Reads for the allocation pages, each with a fixed number of queries."""

import time
from dataclasses import dataclass
from typing import Protocol

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from missions.models import AllocationPlan, Mission, PlanRow
from missions.rules import MissionSpec, PersonInfo, PlanCheck, RowState, check_plan
from schools.models import AuthorizedAction, Person, School, SchoolYear


class RowInputLike(Protocol):
    mission_code: str
    holder_ids: set[int]
    service_name: str


# The catalogue changes only through the admin (and data migrations): each process keeps it, and forgets it when a
# mission is saved or deleted (the receivers below: where this module is not imported nothing is kept) or after CATALOGUE_SECONDS, which bounds
# how long another process (another gunicorn worker) may show the former catalogue.
CATALOGUE_SECONDS = 60
_catalogue: tuple[float, tuple[Mission, ...], tuple[MissionSpec, ...]] | None = None


def _cached_catalogue() -> tuple[tuple[Mission, ...], tuple[MissionSpec, ...]]:
    global _catalogue
    now = time.monotonic()
    if _catalogue is None or now - _catalogue[0] > CATALOGUE_SECONDS:
        missions = tuple(Mission.objects.order_by("position"))
        _catalogue = (now, missions, tuple(_specs(missions)))
    return _catalogue[1], _catalogue[2]


@receiver(post_save, sender=Mission, dispatch_uid="missions-catalogue-saved")
@receiver(post_delete, sender=Mission, dispatch_uid="missions-catalogue-deleted")
def catalogue_changed(**kwargs) -> None:
    """Forget the kept catalogue (a mission was saved or deleted; tests that reload the catalogue call it too)."""
    global _catalogue
    _catalogue = None


def catalogue() -> list[Mission]:
    """The catalogue in its order (one query, then none while the process keeps it). Read-only instances."""
    return list(_cached_catalogue()[0])


def mission_specs(missions: list[Mission]) -> list[MissionSpec]:
    """The rules' view of the missions (built once for the kept catalogue)."""
    kept, specs = _cached_catalogue()
    if len(missions) == len(kept) and all(a is b for a, b in zip(missions, kept, strict=True)):
        return list(specs)
    return _specs(missions)


def _specs(missions) -> list[MissionSpec]:
    return [
        MissionSpec(
            code=m.code,
            label=m.label,
            kind=m.kind,
            min_holders=m.min_holders,
            max_holders=m.max_holders,
            blocking=m.blocking,
            requires_action=m.requires_action,
            requires_tablets=m.requires_tablets,
        )
        for m in missions
    ]


def school_staff(school: School, *, include_ids: set[int] | frozenset[int] = frozenset()) -> list[Person]:
    """The school's active staff, plus any former member still named in a plan (one query)."""
    return list(
        Person.objects.filter(Q(school=school) & (Q(is_active=True) | Q(pk__in=list(include_ids)))).order_by(
            "last_name", "first_name", "pk"
        )
    )


def authorized_actions(school: School, school_year: SchoolYear) -> frozenset[str]:
    """The actions the school's collectivité authorizes this year (one query)."""
    return frozenset(
        AuthorizedAction.objects.filter(collectivity_id=school.collectivity_id, school_year=school_year)
        .filter(Q(school__isnull=True) | Q(school=school))
        .values_list("action", flat=True)
        .order_by("action")
    )


def plan_for(school: School, school_year: SchoolYear) -> AllocationPlan | None:
    """The school's plan for the year with its rows and holders (three queries), or None; earlier_start_year: the
    start of the school's latest plan before it (what a rentrée copy would take), None when there is none. Each
    row's mission is the kept catalogue's instance (no join to build it again; a mission missing from it is read on
    access)."""
    rows = PlanRow.objects.prefetch_related(
        Prefetch("holders", queryset=Person.objects.order_by("last_name", "first_name", "pk"))
    )
    earlier = AllocationPlan.objects.filter(
        school_id=OuterRef("school_id"), school_year__start_year__lt=OuterRef("school_year__start_year")
    ).order_by("-school_year__start_year")
    plan = (
        AllocationPlan.objects.filter(school=school, school_year=school_year)
        .annotate(earlier_start_year=Subquery(earlier.values("school_year__start_year")[:1]))
        .select_related("school__collectivity", "school_year", "updated_by", "submitted_by", "copied_from__school_year")
        .prefetch_related(Prefetch("rows", queryset=rows.order_by("mission__position", "service_name", "pk")))
        .first()
    )
    if plan is not None:
        missions = {mission.pk: mission for mission in _cached_catalogue()[0]}
        for row in plan.rows.all():
            if row.mission_id in missions:
                PlanRow.mission.field.set_cached_value(row, missions[row.mission_id])
    return plan


def row_key(row: PlanRow) -> str:
    return f"row-{row.pk}"


@dataclass
class PlanView:
    """What the allocation pages show: the plan, its rows, its check."""

    plan: AllocationPlan
    missions: list[Mission]
    staff: list[Person]
    check: PlanCheck
    authorized: frozenset[str]


def people_info(staff: list[Person]) -> dict[int, PersonInfo]:
    return {p.pk: PersonInfo(full_name=p.full_name, leaving=p.leaving) for p in staff}


def plan_check(plan: AllocationPlan, missions: list[Mission], staff: list[Person], authorized) -> PlanCheck:
    """Check a saved plan (its rows and holders must be prefetched)."""
    rows = [
        RowState(
            key=row_key(row),
            mission_code=row.mission.code,
            holder_ids=frozenset(h.pk for h in row.holders.all()),
            service_name=row.service_name,
        )
        for row in plan.rows.all()
    ]
    return check_plan(
        missions=mission_specs(missions),
        rows=rows,
        people=people_info(staff),
        authorized_actions=authorized,
        has_tablets=plan.has_tablets,
    )


def plan_view(plan: AllocationPlan) -> PlanView:
    """Everything the allocation page needs for a prefetched plan (three more queries)."""
    missions = catalogue()
    named = {h.pk for row in plan.rows.all() for h in row.holders.all()}
    staff = school_staff(plan.school, include_ids=named)
    authorized = authorized_actions(plan.school, plan.school_year)
    return PlanView(
        plan=plan,
        missions=missions,
        staff=staff,
        check=plan_check(plan, missions, staff, authorized),
        authorized=authorized,
    )


def check_inputs(
    inputs: list[tuple[str, RowInputLike]],
    *,
    missions: list[Mission],
    staff: list[Person],
    authorized: frozenset[str],
    has_tablets: bool,
) -> PlanCheck:
    """Check what the principal is typing, before anything is saved."""
    rows = [
        RowState(
            key=key,
            mission_code=data.mission_code,
            holder_ids=frozenset(data.holder_ids),
            service_name=data.service_name.strip(),
        )
        for key, data in inputs
    ]
    return check_plan(
        missions=mission_specs(missions),
        rows=rows,
        people=people_info(staff),
        authorized_actions=authorized,
        has_tablets=has_tablets,
    )


def plan_rollover_candidates(school_year: SchoolYear) -> QuerySet:
    """Open schools with a plan of an earlier year and none for this one: the rentrée copies their last plan."""
    return (
        School.objects.filter(is_active=True, plans__school_year__start_year__lt=school_year.start_year)
        .exclude(plans__school_year=school_year)
        .distinct()
        .order_by("pk")
    )
