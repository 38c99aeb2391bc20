"""The DANE's académie-wide dashboard: every figure is aggregated in the database.

`school_rows()` is ONE query: each school with its plan state, coverage, blocking problem, referents and
missions held by a single leaving person, as correlated subqueries over plans, rows and holders.
`figures()` groups that same query by (département, collectivité, kind) in one query, whatever the number of
schools, and adds the groups up by département, by collectivité and by kind.

The count rules match missions.rules.check_plan (tests/dashboard/test_rules_agree.py checks it on random
plans): a row of a blocking STANDARD mission is a blocking problem when its number of holders is below the
minimum (for "tablets" missions: at least one when the plan declares tablets, else none) or above the maximum.

Extension points (the data is on other branches):
- EXTRA_ANNOTATIONS: a list of functions (year) -> {name: expression}; IMP totals and envelopes, reviews done
  and activity hours register here and appear in the table and exports through EXTRA_COLUMNS.
- PLAN_STATES / plan_state_expression(): the "CA opinion recorded" state comes with IMP's BoardOpinion: add a
  When(...) in plan_state_expression() before the plan's own state.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from missions.models import AllocationPlan, Mission, PlanRow
from schools.models import School, SchoolYear

NO_PLAN = "none"
PLAN_STATES = [
    (NO_PLAN, _("Pas de plan")),
    (AllocationPlan.State.DRAFT.value, _("Brouillon")),
    (AllocationPlan.State.SUBMITTED.value, _("Soumis au CA")),
    # ("ca_opinion", _("Avis du CA enregistré")): comes with imp.BoardOpinion, see plan_state_expression().
]
PLAN_STATE_LABELS = dict(PLAN_STATES)

# name -> function(year) returning {annotation name: expression}; see the module docstring.
EXTRA_ANNOTATIONS: list[Callable[[SchoolYear], dict]] = []
# (annotation name, column title) shown in the table and the exports after the built-in columns.
EXTRA_COLUMNS: list[tuple[str, str]] = []


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated subquery's rows (0 when none)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


Through = PlanRow.holders.through


def _holder_count():
    """The number of holders of the row OuterRef('pk')."""
    return SubqueryCount(Through.objects.filter(planrow_id=OuterRef("pk")).order_by().values("pk"))


def _rows(year: SchoolYear):
    """The rows of the school OuterRef('pk')'s plan for the year, with their number of holders."""
    return (
        PlanRow.objects.filter(plan__school_id=OuterRef("pk"), plan__school_year=year)
        .annotate(holder_count=_holder_count())
        .order_by()
    )


def blocking_minimum():
    """The minimum number of holders of a row, as check_plan computes it (tablets missions follow the plan)."""
    return Case(
        When(
            mission__requires_tablets=True,
            then=Case(
                When(plan__has_tablets=True, then=Greatest(F("mission__min_holders"), Value(1))),
                default=Value(0),
            ),
        ),
        default=F("mission__min_holders"),
        output_field=IntegerField(),
    )


def blocking_row_q() -> Q:
    """A row (annotated with holder_count and minimum) that breaks a blocking count rule."""
    return Q(mission__blocking=True, mission__kind=Mission.Kind.STANDARD) & (
        Q(holder_count__lt=F("minimum"))
        | Q(mission__max_holders__isnull=False, holder_count__gt=F("mission__max_holders"))
    )


def plan_state_expression(year: SchoolYear):
    """none / draft / submitted (hook: the CA opinion state goes here, before the plan's own state)."""
    plan = AllocationPlan.objects.filter(school_id=OuterRef("pk"), school_year=year)
    return Coalesce(Subquery(plan.values("state")[:1]), Value(NO_PLAN))


def standard_mission_count() -> int:
    return Mission.objects.filter(kind=Mission.Kind.STANDARD).count()


def annotate_schools(schools, year: SchoolYear):
    """Each school with plan_state, held (standard rows that hold), blocking, referents and single_leaving."""
    rows = _rows(year)
    held = rows.filter(mission__kind=Mission.Kind.STANDARD, holder_count__gte=Greatest(F("mission__min_holders"), 1))
    blocking = rows.annotate(minimum=blocking_minimum()).filter(blocking_row_q())
    holders = (
        Through.objects.filter(planrow__plan__school_id=OuterRef("pk"), planrow__plan__school_year=year)
        .exclude(planrow__mission__kind__in=[Mission.Kind.GROUP, Mission.Kind.DERIVED])
        .order_by()
    )
    leaving_holder = Through.objects.filter(planrow_id=OuterRef("pk"), person__leaving=True)
    single_leaving = rows.exclude(mission__kind__in=[Mission.Kind.GROUP, Mission.Kind.DERIVED]).filter(
        Exists(leaving_holder), holder_count=1
    )
    annotations = {
        "plan_state": plan_state_expression(year),
        "held": SubqueryCount(held.values("pk")),
        "blocking": Exists(blocking),
        "referents": SubqueryCount(holders.values("person_id").distinct()),
        "single_leaving": SubqueryCount(single_leaving.values("pk")),
    }
    for extra in EXTRA_ANNOTATIONS:
        annotations.update(extra(year))
    return schools.annotate(**annotations)


@dataclass(frozen=True)
class Filters:
    departement: str = ""
    collectivity: str = ""
    kind: str = ""
    plan_state: str = ""
    blocking: bool = False
    q: str = ""
    sort: str = "name"


SORTS = {
    "name": ("name", "uai"),
    "-name": ("-name", "-uai"),
    "uai": ("uai",),
    "commune": ("commune", "name", "uai"),
    "kind": ("kind", "name", "uai"),
    "state": ("plan_state", "name", "uai"),
    "coverage": ("held", "name", "uai"),
    "-coverage": ("-held", "name", "uai"),
    "referents": ("referents", "name", "uai"),
}


def school_rows(academie_ids, year: SchoolYear, filters: Filters = Filters()):
    """The table's rows (one query when evaluated), filtered and sorted."""
    schools = School.objects.filter(departement__academie_id__in=list(academie_ids), is_active=True)
    if filters.departement:
        schools = schools.filter(departement__code=filters.departement)
    if filters.collectivity:
        schools = schools.filter(collectivity__code=filters.collectivity)
    if filters.kind:
        schools = schools.filter(kind=filters.kind)
    if filters.q:
        q = filters.q.strip()
        schools = schools.filter(Q(name__icontains=q) | Q(commune__icontains=q) | Q(uai__iexact=q))
    schools = annotate_schools(schools, year)
    if filters.plan_state:
        schools = schools.filter(plan_state=filters.plan_state)
    if filters.blocking:
        schools = schools.filter(plan_state__in=[s for s, _label in PLAN_STATES if s != NO_PLAN], blocking=True)
    return schools.select_related("departement", "collectivity").order_by(*SORTS.get(filters.sort, SORTS["name"]))


FIGURE_GROUPS = {
    "departement": ("departement__code", "departement__name"),
    "collectivity": ("collectivity__code", "collectivity__name"),
    "kind": ("kind",),
}


def _fine_figures(academie_ids, year: SchoolYear) -> list[dict]:
    """One query: the table's per-school query as a derived table, grouped by (département, collectivité, kind).

    Wrapping it (rather than aggregating the annotations directly) evaluates each school's subqueries once.
    """
    schools = annotate_schools(
        School.objects.filter(departement__academie_id__in=list(academie_ids), is_active=True), year
    ).annotate(
        dep_code=F("departement__code"),
        dep_name=F("departement__name"),
        col_code=F("collectivity__code"),
        col_name=F("collectivity__name"),
        school_kind=F("kind"),
    )
    inner, params = (
        schools.order_by()
        .values("dep_code", "dep_name", "col_code", "col_name", "school_kind", "plan_state", "blocking")
        .annotate(n_referents=F("referents"), n_single_leaving=F("single_leaving"))
        .query.sql_with_params()
    )
    states = [state for state, _label in PLAN_STATES]
    state_sums = ", ".join(f"SUM(CASE WHEN t.plan_state = %s THEN 1 ELSE 0 END) AS state_{s}" for s in states)
    sql = f"""
        SELECT t.dep_code, t.dep_name, t.col_code, t.col_name, t.school_kind, COUNT(*) AS schools, {state_sums},
               SUM(CASE WHEN t.plan_state <> %s AND NOT t.blocking THEN 1 ELSE 0 END) AS all_ok,
               SUM(CASE WHEN t.n_referents = 0 THEN 1 ELSE 0 END) AS no_referent,
               COALESCE(SUM(t.n_single_leaving), 0) AS single_leaving,
               COALESCE(SUM(t.n_referents), 0) AS referents
        FROM ({inner}) t
        GROUP BY t.dep_code, t.dep_name, t.col_code, t.col_name, t.school_kind
    """  # noqa: S608 (only our own compiled SQL and constant column names are interpolated)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*states, NO_PLAN, *params])  # in the order of the placeholders
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    renames = {
        "dep_code": "departement__code",
        "dep_name": "departement__name",
        "col_code": "collectivity__code",
        "col_name": "collectivity__name",
        "school_kind": "kind",
    }
    return [{renames.get(k, k): (int(v) if k not in renames else v) for k, v in row.items()} for row in rows]


def figures(academie_ids, year: SchoolYear) -> dict:
    """The dashboard's figures by département, collectivité and kind, and their totals.

    One query groups the schools by (département, collectivité, kind), the finest of the three groupings; the
    three groupings and the totals are sums of those few groups (at most départements × collectivités × kinds,
    whatever the number of schools), added up here.
    """
    fine = _fine_figures(academie_ids, year)
    keys = ["schools", *[f"state_{state}" for state, _label in PLAN_STATES]]
    keys += ["all_ok", "no_referent", "single_leaving", "referents"]
    result = {}
    for name, fields in FIGURE_GROUPS.items():
        groups: dict[tuple, dict] = {}
        for row in fine:
            key = tuple(row[f] for f in fields)
            group = groups.setdefault(key, {**{f: row[f] for f in fields}, **dict.fromkeys(keys, 0)})
            for k in keys:
                group[k] += row[k]
        result[name] = [groups[key] for key in sorted(groups)]
    kind_labels = dict(School.Kind.choices)
    for group in result["kind"]:
        group["kind_label"] = kind_labels.get(group["kind"], group["kind"])
    result["total"] = {k: sum(row[k] for row in fine) for k in keys}
    return result
