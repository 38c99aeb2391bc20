"""Benchmark of the DANE's dashboard at national scale (issue 6).

    make bench                                   (every bench/*.py script, in order)
    BENCH_DATABASE_URL=postgres://… .venv/bin/python bench/dashboard.py [--schools 11000] [--requests 30]

Generates, with COPY (PostgreSQL) or executemany (SQLite) — never one ORM save per row — 30 académies of
uneven size, their départements and collectivités, `--schools` schools, 5 people per school (about 3 of them
named in a plan: 30 000 referents at 11 000 schools), and for 3 school years a plan per school with every
catalogue row and its holders. The data is generated once per database and reused by the next runs (it is
recognised by the académie code "B01").

Not generated yet: IMP awards and envelopes, reviews and activity entries (1 000 000 in the issue): they live
on branches not merged here. Add them to generate() when imp.models and the activity log land, and register
their dashboard columns in dashboard.selectors.EXTRA_ANNOTATIONS.

Then measures, through the Django test client with DEBUG off, over --requests requests: the dashboard of the
largest académie, one filtered page of its table, its CSV export, the allocation table page of one of its
schools (p50, p95, query count) and the hand-written SQL query that computes all the dashboard's figures in one
statement (GROUPING SETS); appends the figures to bench/RESULTS.md.
"""

import argparse
import datetime
import io
import logging
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ACADEMIES = 30
PEOPLE_PER_SCHOOL = 5
BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GOALS_MS = {"dashboard": 300, "table page": 150}

RAW_FIGURES_SQL = """
WITH s AS (
  SELECT s.id, s.departement_id, s.collectivity_id, s.kind
  FROM schools_school s JOIN schools_departement d ON d.id = s.departement_id
  WHERE d.academie_id = %(academie)s AND s.is_active
), r AS (
  SELECT p.school_id, p.state, r.id, m.kind, m.blocking, m.max_holders,
         CASE WHEN m.requires_tablets THEN CASE WHEN p.has_tablets THEN GREATEST(m.min_holders, 1) ELSE 0 END
              ELSE m.min_holders END AS minimum,
         COUNT(h.person_id) AS n, BOOL_OR(pe.leaving) AS any_leaving
  FROM missions_allocationplan p
  JOIN s ON s.id = p.school_id
  JOIN missions_planrow r ON r.plan_id = p.id
  JOIN missions_mission m ON m.id = r.mission_id
  LEFT JOIN missions_planrow_holders h ON h.planrow_id = r.id
  LEFT JOIN schools_person pe ON pe.id = h.person_id
  WHERE p.school_year_id = %(year)s
  GROUP BY p.school_id, p.state, p.has_tablets, r.id, m.id
), per_school AS (
  SELECT school_id, MIN(state) AS state,
         BOOL_OR(blocking AND kind = 'standard' AND (n < minimum OR (max_holders IS NOT NULL AND n > max_holders)))
           AS has_blocking,
         COUNT(*) FILTER (WHERE kind NOT IN ('group', 'derived') AND n = 1 AND any_leaving) AS single_leaving
  FROM r GROUP BY school_id
), refs AS (
  SELECT p.school_id, COUNT(DISTINCT h.person_id) AS n
  FROM missions_allocationplan p JOIN s ON s.id = p.school_id
  JOIN missions_planrow r ON r.plan_id = p.id
  JOIN missions_mission m ON m.id = r.mission_id AND m.kind NOT IN ('group', 'derived')
  JOIN missions_planrow_holders h ON h.planrow_id = r.id
  WHERE p.school_year_id = %(year)s
  GROUP BY p.school_id
)
SELECT s.departement_id, s.collectivity_id, s.kind, COUNT(*) AS schools,
       COUNT(*) FILTER (WHERE ps.state IS NULL) AS state_none,
       COUNT(*) FILTER (WHERE ps.state = 'draft') AS state_draft,
       COUNT(*) FILTER (WHERE ps.state = 'submitted') AS state_submitted,
       COUNT(*) FILTER (WHERE ps.state IS NOT NULL AND NOT ps.has_blocking) AS all_ok,
       COUNT(*) FILTER (WHERE COALESCE(refs.n, 0) = 0) AS no_referent,
       COALESCE(SUM(ps.single_leaving), 0) AS single_leaving,
       COALESCE(SUM(refs.n), 0) AS referents
FROM s LEFT JOIN per_school ps ON ps.school_id = s.id LEFT JOIN refs ON refs.school_id = s.id
GROUP BY GROUPING SETS ((s.departement_id), (s.collectivity_id), (s.kind))
"""


def academie_sizes(schools: int) -> list[int]:
    """Uneven académies (the largest about 10 % of the schools), summing to `schools`."""
    weights = [4.6] + [1.0 + (n % 5) * 0.25 for n in range(1, ACADEMIES)]
    sizes = [int(schools * w / sum(weights)) for w in weights]
    sizes[-1] += schools - sum(sizes)
    return sizes


def insert(connection, model_or_table, columns: list[str], rows) -> int:
    """Bulk insert: COPY on PostgreSQL, executemany elsewhere. Returns the number of rows."""
    table = model_or_table if isinstance(model_or_table, str) else model_or_table._meta.db_table
    rows = list(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
    return len(rows)


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def generate(schools_count: int, seed: int = 6) -> dict:
    """The national data set (see the module docstring). Returns what was inserted, by table."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from missions.models import AllocationPlan, Mission, PlanRow
    from schools.models import Academie, Collectivity, Departement, Person, School, SchoolYear
    from schools.uai import uai_check_letter

    rnd = random.Random(seed)
    counts = {}
    missions = list(Mission.objects.order_by("position"))
    current = SchoolYear.current()
    years = [SchoolYear.objects.get_or_create(start_year=current.start_year - k)[0] for k in (2, 1, 0)]
    kinds = ["college"] * 6 + ["lycee", "lycee", "lycee_pro", "lycee_poly"]
    now = timezone.now()
    with transaction.atomic():
        ids = {m: next_id(m) for m in (Academie, Departement, Collectivity, School, Person, AllocationPlan, PlanRow)}
        academies, departements, collectivities, schools, people = [], [], [], [], []
        school_people: dict[int, list[int]] = {}
        dep_n = 0
        school_n = 0
        for a, size in enumerate(academie_sizes(schools_count)):
            academie_id = ids[Academie] + a
            academies.append((academie_id, f"B{a + 1:02d}", f"Bench {a + 1:02d}"))
            region_id = ids[Collectivity] + len(collectivities)
            collectivities.append((region_id, f"BENCH-R{a + 1:02d}", f"Région bench {a + 1:02d}", "region"))
            deps = []
            for _d in range(3 + a % 3):
                dep_id = ids[Departement] + dep_n
                departements.append(
                    (dep_id, "Y" + BASE36[dep_n // 36] + BASE36[dep_n % 36], f"Département bench {dep_n}", academie_id)
                )
                cd_id = ids[Collectivity] + len(collectivities)
                collectivities.append((cd_id, f"BENCH-CD{dep_n:03d}", f"Département bench {dep_n}", "departement"))
                deps.append((dep_id, cd_id))
                dep_n += 1
            for k in range(size):
                dep_id, cd_id = deps[k % len(deps)]
                kind = kinds[school_n % len(kinds)]
                school_id = ids[School] + school_n
                digits = f"{9000000 + school_n:07d}"
                schools.append(
                    (
                        school_id,
                        digits + uai_check_letter(digits),
                        f"{'Collège' if kind == 'college' else 'Lycée'} bench {school_n}",
                        kind,
                        f"Commune {school_n % 700}",
                        "",
                        dep_id,
                        cd_id if kind == "college" else region_id,
                        "",
                        True,
                        True,
                        False,
                    )
                )
                school_people[school_id] = []
                for _p in range(PEOPLE_PER_SCHOOL):
                    person_id = ids[Person] + len(people)
                    people.append(
                        (
                            person_id,
                            school_id,
                            f"Nom{len(people)}",
                            "Claude",
                            "",
                            "teacher",
                            False,
                            rnd.random() < 0.1,
                            True,
                            1,
                        )
                    )
                    school_people[school_id].append(person_id)
                school_n += 1
        counts["académies"] = insert(connection, Academie, ["id", "code", "name"], academies)
        counts["collectivités"] = insert(connection, Collectivity, ["id", "code", "name", "kind"], collectivities)
        counts["départements"] = insert(connection, Departement, ["id", "code", "name", "academie_id"], departements)
        counts["schools"] = insert(
            connection,
            School,
            [
                "id", "uai", "name", "kind", "commune", "postal_code", "departement_id", "collectivity_id", "address",
                "is_public", "is_active", "collectivity_override",
            ],
            schools,
        )  # fmt: skip
        counts["people"] = insert(
            connection,
            Person,
            [
                "id", "school_id", "last_name", "first_name", "email", "status", "full_service_cpge", "leaving",
                "is_active", "version",
            ],
            people,
        )  # fmt: skip
        plans, rows, holders = [], [], []
        row_id = ids[PlanRow]
        for year in years:
            for school in schools:
                if year is years[-1] and rnd.random() < 0.15:
                    continue  # 15 % of the schools have no plan yet this year
                plan_id = ids[AllocationPlan] + len(plans)
                submitted = year is not years[-1] or rnd.random() < 0.4
                plans.append(
                    (plan_id, school[0], year.pk, "submitted" if submitted else "draft", rnd.random() < 0.3, 1, now,
                     now if submitted else None)
                )  # fmt: skip
                staff = school_people[school[0]][:3]  # the referents
                for mission in missions:
                    rows.append((row_id, plan_id, mission.pk, "", "", "", "", ""))
                    if mission.kind == "standard":
                        for person in rnd.sample(staff, rnd.choice([0, 1, 1, 1, 2, 2, 3])):
                            holders.append((row_id, person))
                    row_id += 1
        counts["plans"] = insert(
            connection,
            AllocationPlan,
            ["id", "school_id", "school_year_id", "state", "has_tablets", "version", "updated_at", "submitted_at"],
            plans,
        )
        counts["plan rows"] = insert(
            connection,
            PlanRow,
            ["id", "plan_id", "mission_id", "service_name", "organisation", "sharing", "sharing_detail", "left_by"],
            rows,
        )
        counts["holders"] = insert(connection, PlanRow.holders.through, ["planrow_id", "person_id"], holders)
    if connection.vendor == "postgresql":
        out = io.StringIO()
        call_command("sqlsequencereset", "schools", "missions", stdout=out, no_color=True)
        with connection.cursor() as cursor:
            cursor.execute(out.getvalue())
            cursor.execute("ANALYZE")
    return counts


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _n in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=11_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="rupn-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rupn.settings.test")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["REDIS_URL"] = ""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from dashboard import selectors
    from missions.models import AllocationPlan
    from schools.models import Academie, Role, School, SchoolYear, User

    setup_test_environment()
    logging.getLogger("django.template").setLevel(logging.WARNING)
    settings.ALLOWED_HOSTS = ["*"]
    assert not settings.DEBUG
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if Academie.objects.filter(code="B01").exists():
        counts = None
        print("reusing the data set already generated in this database")
    else:
        counts = generate(args.schools)
        print(f"generated in {time.perf_counter() - started:.1f} s: {counts}")
    generated_in = time.perf_counter() - started

    largest = Academie.objects.get(code="B01")
    year = SchoolYear.current()
    dane, _created = User.objects.get_or_create(email="dane@bench.example")
    Role.objects.get_or_create(user=dane, kind=Role.Kind.DANE, academie=largest)
    plan = AllocationPlan.objects.filter(school__departement__academie=largest, school_year=year).first()
    principal, _created = User.objects.get_or_create(email="principal@bench.example")
    Role.objects.get_or_create(user=principal, kind=Role.Kind.PRINCIPAL, school=plan.school)
    schools_in_largest = School.objects.filter(departement__academie=largest).count()
    dep = largest.departements.order_by("code").first()

    dane_client, principal_client = Client(), Client()
    dane_client.force_login(dane)
    principal_client.force_login(principal)

    def get(client, url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if response.streaming:
                for _chunk in response.streaming_content:
                    pass
            else:
                response.content  # noqa: B018

        return run

    pages = [
        ("dashboard", dane_client, "/dane/"),
        ("table page", dane_client, f"/dane/etablissements/?departement={dep.code}&kind=college&sort=-coverage"),
        ("CSV export", dane_client, "/dane/etablissements.csv"),
        ("allocation table", principal_client, f"/etablissements/{plan.school.uai}/{year.name}/repartition/"),
    ]
    results = []
    for label, client, url in pages:
        get(client, url)()  # warm up
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            get(client, url)()
        times = timed(get(client, url), args.requests)
        results.append((label, statistics.median(times), p95(times), len(queries)))
        print(f"{label:18} p50 {results[-1][1]:7.1f} ms  p95 {results[-1][2]:7.1f} ms  {len(queries)} queries")

    tracemalloc.start()
    get(dane_client, "/dane/etablissements.csv")()
    _current, csv_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    raw_times = []
    if connection.vendor == "postgresql":
        params = {"academie": largest.pk, "year": year.pk}

        def raw():
            with connection.cursor() as cursor:
                cursor.execute(RAW_FIGURES_SQL, params)
                cursor.fetchall()

        raw()
        raw_times = timed(raw, args.requests)
        print(f"raw SQL            p50 {statistics.median(raw_times):7.1f} ms  p95 {p95(raw_times):7.1f} ms")
    selectors_sql = str(selectors.school_rows([largest.pk], year).query)

    if connection.vendor == "postgresql":
        vendor = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        vendor = f"{connection.vendor} {connection.Database.sqlite_version}"
    dashboard_p50 = results[0][1]
    lines = [
        f"\n## dashboard — {datetime.datetime.now():%Y-%m-%d %H:%M}\n",
        f"{School.objects.count()} schools in the database, largest académie {schools_in_largest} schools; "
        f"{platform.python_implementation()} {platform.python_version()}, {vendor}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the end (the machine is shared), "
        f"{args.requests} requests each, Django test client, DEBUG off. "
        + (f"Generated in {generated_in:.0f} s: {counts}.\n" if counts else "Data set reused.\n"),
        "\n| request | p50 ms | p95 ms | queries | goal (p95) |\n|---|---|---|---|---|\n",
    ]
    for label, p50, p95_ms, queries in results:
        goal = GOALS_MS.get(label)
        verdict = f"< {goal} ms: **{'OK' if p95_ms < goal else 'MISSED'}**" if goal else ""
        lines.append(f"| {label} | {p50:.1f} | {p95_ms:.1f} | {queries} | {verdict} |\n")
    if raw_times:
        raw_p50 = statistics.median(raw_times)
        lines.append(
            f"| hand-written SQL of the figures (1 statement) | {raw_p50:.1f} | {p95(raw_times):.1f} | 1 | |\n"
        )
        lines.append(f"\nDashboard / raw SQL (p50): **{dashboard_p50 / raw_p50:.2f}×** (goal within 3×).\n")
    lines.append(
        f"CSV export of {schools_in_largest} schools: peak Python memory {csv_peak / 1024:.0f} KiB (tracemalloc).\n"
    )
    if not args.no_record:
        results_file = ROOT / "bench" / "RESULTS.md"
        with results_file.open("a") as out:
            out.writelines(lines)
    print("".join(lines))
    print("main table query:\n" + selectors_sql[:4000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
