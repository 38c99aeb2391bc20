"""The DANE's académie-wide dashboard: every figure is aggregated in the database.

`school_rows()` is ONE query: each school with its plan state, coverage, blocking problem, referents, missions
held by a single leaving person, IMP proposed and validated, envelope, point d'étape done and hours logged, as
correlated subqueries. The table pages in two steps: the count and the page's ids annotate only what the
filters and the sort need (every_column=False), then school_rows_by_pk() computes every column for the page's
50 schools only. The exports stream every column of every matching school.
`figures()` is ONE hand-written statement (FIGURES_SQL): per-school aggregates computed by plain joins and
GROUP BY (each plan's rows and holders read once, the activity entries once), joined to the schools, then
grouped by (département, collectivité, kind), plus the minutes by mission of each of those groups; the three
groupings and the totals are added up in Python from those few rows. tests/dashboard/test_dashboard.py checks
that the figures and the table's rows agree on mixed data.

The count rules match missions.rules.check_plan (tests/dashboard/test_rules_agree.py checks it on random
plans): a row of a blocking STANDARD mission is a blocking problem when its number of holders is below the
minimum (for "tablets" missions: at least one when the plan declares tablets, else none) or above the maximum.

Definitions: the plan state is "CA opinion recorded" once the CA's opinion (imp.BoardOpinion, body "ca") is
recorded for the year — "CA opinion on an earlier version", counted apart, when the plan's version is no longer
the one the opinion was given on (BoardOpinion.plan_version) —, else the plan's own state, else "none". IMP proposed: the sum of the rates of the year's
awards proposed to their holder or further on (proposed, accepted, validated, paying, closed); validated: those
validated by the rectorat (validated, paying, closed). Hours: the minutes of the activity entries dated within
the school year, of the school's staff.

A new column is one more entry in ANNOTATIONS (name -> function of the year giving its expression), then its cell
in templates/dashboard/school_table.html and in dashboard/views.py's export header and rows.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.models import ActivityEntry, Review
from imp.models import BoardOpinion, Envelope, ImpAward
from imp.money import to_cents
from missions.models import AllocationPlan, Mission, PlanRow
from schools.models import School, SchoolMeans, SchoolYear

NO_PLAN = "none"
CA_OPINION = "ca_opinion"
CA_OPINION_EARLIER = "ca_opinion_earlier"  # the CA's opinion was given on a version of the plan changed since
IMP_PROPOSED_STATES = [state.value for state in ImpAward.PROPOSED_STATES]
IMP_VALIDATED_STATES = [state.value for state in ImpAward.PAYABLE_STATES]
ZERO = Decimal("0.00")
PLAN_STATES = [
    (NO_PLAN, _("Pas de plan")),
    (AllocationPlan.State.DRAFT.value, _("Brouillon")),
    (AllocationPlan.State.SUBMITTED.value, _("Soumis au CA")),
    (CA_OPINION, _("Avis du CA enregistré")),
    (CA_OPINION_EARLIER, _("Avis du CA rendu sur une version antérieure")),
]
PLAN_STATE_LABELS = dict(PLAN_STATES)


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
    """ca_opinion once the CA's opinion is recorded (ca_opinion_earlier when the plan changed after it: its version
    is not the one the opinion was given on), else the plan's state (draft / submitted), else none."""
    plan = AllocationPlan.objects.filter(school_id=OuterRef("pk"), school_year=year)
    ca = BoardOpinion.objects.filter(school_id=OuterRef("pk"), school_year=year, body=BoardOpinion.Body.CA)
    changed = AllocationPlan.objects.filter(school_id=OuterRef("school_id"), school_year=year).exclude(
        version=OuterRef("plan_version")
    )
    return Case(
        When(Exists(ca.filter(Exists(changed))), then=Value(CA_OPINION_EARLIER)),
        When(Exists(ca), then=Value(CA_OPINION)),
        default=Coalesce(Subquery(plan.values("state")[:1]), Value(NO_PLAN)),
    )


def _imp_total(year: SchoolYear, states: list[str]):
    awards = (
        ImpAward.objects.filter(school_id=OuterRef("pk"), school_year=year, state__in=states)
        .order_by()
        .values("school_id")
        .annotate(total=Sum("rate__amount"))
        .values("total")
    )
    money = DecimalField(max_digits=12, decimal_places=2)
    return Coalesce(Subquery(awards, output_field=money), Value(ZERO), output_field=money)


def _minutes(year: SchoolYear):
    entries = (
        ActivityEntry.objects.filter(
            person__school_id=OuterRef("pk"), date__gte=year.start_date, date__lte=year.end_date
        )
        .order_by()
        .values("person__school_id")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    return Coalesce(Subquery(entries, output_field=IntegerField()), Value(0))


def _means_given(year: SchoolYear):
    """How many of the five means (phone, notice board, intervention book, ticket server, office) the school gives
    its referents this year; None when the principal has not recorded them."""
    first, *others = [Cast(F(name), IntegerField()) for name in SchoolMeans.ITEMS]
    means = (
        SchoolMeans.objects.filter(school_id=OuterRef("pk"), school_year=year)
        .order_by()
        .annotate(given=sum(others, start=first))
        .values("given")[:1]
    )
    return Subquery(means, output_field=IntegerField())


def standard_mission_count() -> int:
    return Mission.objects.filter(kind=Mission.Kind.STANDARD).count()


def _plan_annotations(year: SchoolYear) -> dict:
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
    return {
        "held": SubqueryCount(held.values("pk")),
        "blocking": Exists(blocking),
        "referents": SubqueryCount(holders.values("person_id").distinct()),
        "single_leaving": SubqueryCount(single_leaving.values("pk")),
    }


# Each annotation by name, as a function of the year: a query annotates only the ones it needs.
ANNOTATIONS: dict[str, Callable[[SchoolYear], object]] = {
    "plan_state": plan_state_expression,
    "held": _plan_annotations,  # these four are built together (they share the rows' subquery)
    "blocking": _plan_annotations,
    "referents": _plan_annotations,
    "single_leaving": _plan_annotations,
    "imp_proposed": lambda year: _imp_total(year, IMP_PROPOSED_STATES),
    "imp_validated": lambda year: _imp_total(year, IMP_VALIDATED_STATES),
    "envelope": lambda year: Subquery(
        Envelope.objects.filter(school_id=OuterRef("pk"), school_year=year).order_by().values("amount")[:1]
    ),
    "review_done": lambda year: Exists(
        Review.objects.filter(school_id=OuterRef("pk"), school_year=year, state=Review.State.DONE)
    ),
    "minutes": _minutes,
    "means_given": _means_given,
}


def annotate_schools(schools, year: SchoolYear, names=None):
    """Each school with plan_state, held (standard rows that hold), blocking, referents, single_leaving,
    imp_proposed, imp_validated, envelope (None when none), review_done, minutes and means_given (None when not
    recorded) — or only `names`."""
    built = {}
    annotations = {}
    for name, build in ANNOTATIONS.items():
        if names is None or name in names:
            if build not in built:
                built[build] = build(year)
            annotations[name] = built[build][name] if build is _plan_annotations else built[build]
    return schools.annotate(**annotations)


@dataclass(frozen=True)
class Filters:
    departement: str = ""
    collectivity: str = ""
    kind: str = ""
    plan_state: str = ""
    blocking: bool = False
    no_review: bool = False
    rules_ok: bool = False  # a plan where every blocking rule holds
    no_referent: bool = False
    review_done: bool = False
    imp_validated: bool = False  # some IMP validated by the rectorat
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
    "hours": ("minutes", "name", "uai"),
    "-hours": ("-minutes", "name", "uai"),
}


def school_rows(academie_ids, year: SchoolYear, filters: Filters = Filters(), *, every_column: bool = True):
    """The table's rows (one query when evaluated), filtered and sorted.

    every_column=False annotates only what the filters and the sort need (for the count and a page's ids).
    """
    schools = School.objects.filter(departement__academie_id__in=list(academie_ids), is_active=True)
    if filters.departement:
        schools = schools.filter(departement__code=filters.departement)
    if filters.collectivity:
        schools = schools.filter(collectivity__code=filters.collectivity)
    if filters.kind:
        schools = schools.filter(kind=filters.kind)
    if filters.q:
        schools = schools.search(filters.q)
    sort = SORTS.get(filters.sort, SORTS["name"])
    needed = None
    if not every_column:
        needed = {name.lstrip("-") for name in sort} & set(ANNOTATIONS)
        needed |= {"plan_state"} if filters.plan_state or filters.blocking else set()
        needed |= {"blocking"} if filters.blocking else set()
        needed |= {"review_done"} if filters.no_review or filters.review_done else set()
        needed |= {"plan_state", "blocking"} if filters.rules_ok else set()
        needed |= {"referents"} if filters.no_referent else set()
        needed |= {"imp_validated"} if filters.imp_validated else set()
    schools = annotate_schools(schools, year, needed)
    if filters.plan_state:
        schools = schools.filter(plan_state=filters.plan_state)
    if filters.blocking:
        schools = schools.filter(plan_state__in=[s for s, _label in PLAN_STATES if s != NO_PLAN], blocking=True)
    if filters.no_review:
        schools = schools.filter(review_done=False)
    if filters.review_done:
        schools = schools.filter(review_done=True)
    if filters.rules_ok:
        schools = schools.exclude(plan_state=NO_PLAN).filter(blocking=False)
    if filters.no_referent:
        schools = schools.filter(referents=0)
    if filters.imp_validated:
        schools = schools.filter(imp_validated__gt=0)
    return schools.select_related("departement", "collectivity").order_by(*sort)


def school_rows_by_pk(pks: list[int], year: SchoolYear) -> list:
    """The table's rows of these schools (one query), in the order of `pks`.

    The table pages in two steps: school_rows(...).values_list("pk") computes only what the filters and the sort
    need, for every matching school, then this computes every column for the page's 50 schools only.
    """
    schools = annotate_schools(School.objects.filter(pk__in=list(pks)), year).select_related(
        "departement", "collectivity"
    )
    by_pk = {school.pk: school for school in schools}
    return [by_pk[pk] for pk in pks if pk in by_pk]


FIGURE_GROUPS = {
    "departement": ("departement__code", "departement__name"),
    "collectivity": ("collectivity__code", "collectivity__name"),
    "kind": ("kind",),
}


# The figures in one statement: rows of part "group" hold the counts and sums of the schools of one
# (département, collectivité, kind); rows of part "mission" the minutes logged for one mission in one of those.
# Portable portable (PostgreSQL in production, SQLite in quick test runs): no GREATEST,
# BOOL_OR or FILTER. {academies} is a list of placeholders; the other parameters are named in _fine_figures().
FIGURES_SQL = """
WITH s AS (
  SELECT s.id, d.code AS dep_code, d.name AS dep_name, c.code AS col_code, c.name AS col_name, s.kind AS school_kind
  FROM schools_school s
  JOIN schools_departement d ON d.id = s.departement_id
  JOIN schools_collectivity c ON c.id = s.collectivity_id
  WHERE d.academie_id IN ({academies}) AND s.is_active
), p AS (
  SELECT p.id, p.school_id, p.state, p.has_tablets, p.version
  FROM missions_allocationplan p JOIN s ON s.id = p.school_id
  WHERE p.school_year_id = %(year)s
), rh AS (
  SELECT p.school_id, p.has_tablets, r.id AS row_id, r.mission_id, h.person_id, pe.leaving
  FROM p
  JOIN missions_planrow r ON r.plan_id = p.id
  LEFT JOIN missions_planrow_holders h ON h.planrow_id = r.id
  -- holders are the school's staff (the plan's form offers only them): hash-join the académie's staff once
  -- rather than look each holder up by primary key.
  LEFT JOIN (SELECT pe.id, pe.leaving FROM schools_person pe JOIN s ON s.id = pe.school_id) pe ON pe.id = h.person_id
), r AS (
  SELECT rh.school_id, m.kind, m.blocking, m.max_holders,
         CASE WHEN m.requires_tablets
              THEN CASE WHEN rh.has_tablets THEN CASE WHEN m.min_holders > 1 THEN m.min_holders ELSE 1 END ELSE 0 END
              ELSE m.min_holders END AS minimum,
         COUNT(rh.person_id) AS n,
         MAX(CASE WHEN rh.leaving THEN 1 ELSE 0 END) AS any_leaving
  FROM rh JOIN missions_mission m ON m.id = rh.mission_id
  GROUP BY rh.school_id, rh.has_tablets, rh.row_id, m.id, m.kind, m.blocking, m.max_holders, m.requires_tablets,
           m.min_holders
), per_plan AS (
  SELECT school_id,
         MAX(CASE WHEN blocking AND kind = 'standard'
                   AND (n < minimum OR (max_holders IS NOT NULL AND n > max_holders)) THEN 1 ELSE 0 END) AS blocking,
         SUM(CASE WHEN kind NOT IN ('group', 'derived') AND n = 1 AND any_leaving = 1 THEN 1 ELSE 0 END)
           AS single_leaving
  FROM r GROUP BY school_id
), refs AS (
  SELECT rh.school_id, COUNT(DISTINCT rh.person_id) AS n
  FROM rh JOIN missions_mission m ON m.id = rh.mission_id AND m.kind NOT IN ('group', 'derived')
  WHERE rh.person_id IS NOT NULL
  GROUP BY rh.school_id
), ca AS (
  SELECT DISTINCT b.school_id, b.plan_version FROM imp_boardopinion b JOIN s ON s.id = b.school_id
  WHERE b.school_year_id = %(year)s AND b.body = 'ca' AND b.date <= %(until)s
), imp AS (
  SELECT a.school_id,
         SUM(CASE WHEN a.state IN ({proposed}) THEN rt.amount ELSE 0 END) AS proposed,
         SUM(CASE WHEN a.state IN ({validated}) THEN rt.amount ELSE 0 END) AS validated
  FROM imp_impaward a JOIN s ON s.id = a.school_id JOIN imp_imprate rt ON rt.id = a.rate_id
  WHERE a.school_year_id = %(year)s
  GROUP BY a.school_id
), env AS (
  SELECT e.school_id, e.amount FROM imp_envelope e JOIN s ON s.id = e.school_id WHERE e.school_year_id = %(year)s
), rev AS (
  SELECT DISTINCT v.school_id FROM missions_review v JOIN s ON s.id = v.school_id
  WHERE v.school_year_id = %(year)s AND v.state = 'done'
    AND (v.done_at IS NULL OR v.done_at < %(until_next)s)
), am AS (
  SELECT pe.school_id, a.mission_id, SUM(a.minutes) AS minutes
  FROM s
  JOIN schools_person pe ON pe.school_id = s.id
  JOIN missions_activityentry a ON a.person_id = pe.id
  WHERE a.date >= %(start)s AND a.date <= %(end)s
  GROUP BY pe.school_id, a.mission_id
), act AS (
  SELECT school_id, SUM(minutes) AS minutes FROM am GROUP BY school_id
), t AS (
  SELECT s.dep_code, s.dep_name, s.col_code, s.col_name, s.school_kind,
         CASE WHEN ca.school_id IS NOT NULL AND p.version <> ca.plan_version THEN %(ca_opinion_earlier)s
              WHEN ca.school_id IS NOT NULL THEN %(ca_opinion)s ELSE COALESCE(p.state, %(none)s) END AS plan_state,
         COALESCE(pp.blocking, 0) AS blocking,
         COALESCE(pp.single_leaving, 0) AS single_leaving,
         COALESCE(refs.n, 0) AS referents,
         COALESCE(imp.proposed, 0) AS imp_proposed,
         COALESCE(imp.validated, 0) AS imp_validated,
         COALESCE(env.amount, 0) AS envelope,
         CASE WHEN rev.school_id IS NULL THEN 0 ELSE 1 END AS review_done,
         COALESCE(act.minutes, 0) AS minutes
  FROM s
  LEFT JOIN p ON p.school_id = s.id
  LEFT JOIN per_plan pp ON pp.school_id = s.id
  LEFT JOIN refs ON refs.school_id = s.id
  LEFT JOIN ca ON ca.school_id = s.id
  LEFT JOIN imp ON imp.school_id = s.id
  LEFT JOIN env ON env.school_id = s.id
  LEFT JOIN rev ON rev.school_id = s.id
  LEFT JOIN act ON act.school_id = s.id
)
SELECT 'group' AS part, dep_code, dep_name, col_code, col_name, school_kind,
       NULL AS mission_id, NULL AS mission_label, NULL AS mission_position,
       COUNT(*) AS schools,
       {state_sums},
       SUM(CASE WHEN plan_state <> %(none)s AND blocking = 0 THEN 1 ELSE 0 END) AS all_ok,
       SUM(CASE WHEN referents = 0 THEN 1 ELSE 0 END) AS no_referent,
       SUM(single_leaving) AS single_leaving,
       SUM(referents) AS referents,
       SUM(imp_proposed) AS imp_proposed,
       SUM(imp_validated) AS imp_validated,
       SUM(envelope) AS envelopes,
       SUM(review_done) AS reviews_done,
       SUM(minutes) AS minutes
FROM t
GROUP BY dep_code, dep_name, col_code, col_name, school_kind
UNION ALL
SELECT 'mission', s.dep_code, s.dep_name, s.col_code, s.col_name, s.school_kind, m.id, m.label, m.position,
       {mission_zeros}, SUM(am.minutes)
FROM am JOIN s ON s.id = am.school_id JOIN missions_mission m ON m.id = am.mission_id
GROUP BY s.dep_code, s.dep_name, s.col_code, s.col_name, s.school_kind, m.id, m.label, m.position
"""
MONEY_KEYS = ("imp_proposed", "imp_validated", "envelopes")
COUNT_KEYS = ("all_ok", "no_referent", "single_leaving", "referents", "reviews_done", "minutes")


def figures_sql(academie_ids, year: SchoolYear, until: datetime.date | None = None) -> tuple[str, dict]:
    """FIGURES_SQL with its placeholders expanded, and its parameters (pyformat: %(name)s).

    until: count only the CA opinions given, the points d'étape done and the hours logged up to that day (the
    comparison with the same date last year); None counts everything."""
    last_day = until or datetime.date(9999, 1, 1)
    next_midnight = timezone.make_aware(datetime.datetime.combine(last_day, datetime.time.min))
    params = {
        "year": year.pk,
        "start": year.start_date,
        "end": min(year.end_date, last_day),
        "until": last_day,
        "until_next": next_midnight + datetime.timedelta(days=1),
        "none": NO_PLAN,
        "ca_opinion": CA_OPINION,
        "ca_opinion_earlier": CA_OPINION_EARLIER,
    }
    names = {}
    for prefix, values in (("a", list(academie_ids)), ("p", IMP_PROPOSED_STATES), ("v", IMP_VALIDATED_STATES)):
        values = values or [None]
        params.update({f"{prefix}{n}": value for n, value in enumerate(values)})
        names[prefix] = ", ".join(f"%({prefix}{n})s" for n in range(len(values)))
    states = [state for state, _label in PLAN_STATES]
    params.update({f"s{n}": state for n, state in enumerate(states)})
    state_sums = ",\n       ".join(
        f"SUM(CASE WHEN plan_state = %(s{n})s THEN 1 ELSE 0 END) AS state_{state}" for n, state in enumerate(states)
    )
    zeros = ", ".join(["0"] * (1 + len(states) + len(COUNT_KEYS) + len(MONEY_KEYS) - 1))
    sql = FIGURES_SQL.format(
        academies=names["a"],
        proposed=names["p"],
        validated=names["v"],
        state_sums=state_sums,
        mission_zeros=zeros,
    )
    return sql, params


def _fine_figures(academie_ids, year: SchoolYear, until=None) -> tuple[list[dict], list[dict]]:
    """One query: the schools grouped by (département, collectivité, kind), with their per-school aggregates, and
    the minutes logged by mission in each of those groups."""
    sql, params = figures_sql(academie_ids, year, until)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    renames = {
        "dep_code": "departement__code",
        "dep_name": "departement__name",
        "col_code": "collectivity__code",
        "col_name": "collectivity__name",
        "school_kind": "kind",
    }
    fine, missions = [], []
    for row in rows:
        group = {}
        for key, value in row.items():
            if key in renames or key in ("part", "mission_label"):
                group[renames.get(key, key)] = value
            elif key in MONEY_KEYS:
                group[key] = to_cents(Decimal(str(value or 0)))
            else:
                group[key] = int(value or 0)
        if group.pop("part") == "group":
            fine.append(group)
        else:
            missions.append(group)
    missions.sort(key=lambda m: (m["mission_position"], m["mission_id"]))
    return fine, missions


def figures(academie_ids, year: SchoolYear, until: datetime.date | None = None) -> dict:
    """The dashboard's figures by département, collectivité and kind, and their totals.

    One query groups the schools by (département, collectivité, kind), the finest of the three groupings; the
    three groupings and the totals are sums of those few groups (at most départements × collectivités × kinds,
    whatever the number of schools), added up here.
    """
    fine, missions = _fine_figures(academie_ids, year, until)
    keys = ["schools", *[f"state_{state}" for state, _label in PLAN_STATES]]
    keys += [*COUNT_KEYS, *MONEY_KEYS]
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
    result["total"] = {k: sum((row[k] for row in fine), ZERO if k in MONEY_KEYS else 0) for k in keys}
    for group in [*result["departement"], *result["collectivity"], *result["kind"], result["total"]]:
        group["reviews_missing"] = group["schools"] - group["reviews_done"]
    result["missions"] = missions
    return result


def map_points(academie_ids, year: SchoolYear) -> list[tuple]:
    """Every open school of the académies with its plan state for the year, in one query: (UAI, name, commune,
    département code, latitude, longitude, plan state), by département then name; latitude and longitude are
    floats, or None when the directory import has not given them."""
    rows = (
        School.objects.filter(departement__academie_id__in=list(academie_ids), is_active=True)
        .annotate(plan_state=plan_state_expression(year))
        .order_by("departement__code", "name", "uai")
        .values_list("uai", "name", "commune", "departement__code", "latitude", "longitude", "plan_state")
    )
    return [
        (uai, name, commune, dep, None if lat is None else float(lat), None if lon is None else float(lon), state)
        for uai, name, commune, dep, lat, lon, state in rows
    ]
