"""Benchmark of the DANE's dashboard at national scale (issue 6).

    make bench                                   (every bench/*.py script, in order)
    BENCH_DATABASE_URL=postgres://… .venv/bin/python bench/dashboard.py [--schools 11000] [--requests 30]

Generates, with COPY (PostgreSQL) or executemany (SQLite) — never one ORM save per row — 30 académies of
uneven size, their départements and collectivités, `--schools` schools, 5 people per school (about 3 of them
named in a plan: 30 000 referents at 11 000 schools), and for 3 school years a plan per school with every
catalogue row and its holders. The data is generated once per database and reused by the next runs (it is
recognised by the académie code "B01").

Then, in a second stage (also reused once generated, recognised by the bench schools' envelopes): for each
school and year an IMP envelope and one or two awards (in every state the dashboard counts), a CA opinion for
some submitted plans, a point d'étape for most schools (done for about 60 % of them this year), and
`--activity` activity entries (1 000 000 by default) logged by the referents over the three years, with COPY.

Then measures, through the Django test client with DEBUG off, over --requests requests: the dashboard of the
largest académie, one filtered page of its table, its CSV export, the allocation table page of one of its
schools (p50, p95, query count) and the hand-written SQL query that computes all the dashboard's figures in one
statement (dashboard.selectors.FIGURES_SQL, the very statement the dashboard runs); prints its EXPLAIN ANALYZE;
replaces the dashboard section of bench/RESULTS.md (between its markers) with the figures, the machine and its
load average.
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
from decimal import Decimal
from pathlib import Path

from _results import replace_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ACADEMIES = 30
PEOPLE_PER_SCHOOL = 5
BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GOALS_MS = {"dashboard": 150, "table page": 75}  # issue 18: the dashboard with its map's data, the table page

START, END = "<!-- bench/dashboard.py: start -->", "<!-- bench/dashboard.py: end -->"
ACTIVITY_ENTRIES = 1_000_000


def academie_sizes(schools: int) -> list[int]:
    """Uneven académies (the largest about 10 % of the schools), summing to `schools`."""
    weights = [4.6] + [1.0 + (n % 5) * 0.25 for n in range(1, ACADEMIES)]
    sizes = [int(schools * w / sum(weights)) for w in weights]
    sizes[-1] += schools - sum(sizes)
    return sizes


def insert(connection, model_or_table, columns: list[str], rows) -> int:
    """Bulk insert: COPY on PostgreSQL, executemany elsewhere. Returns the number of rows."""
    table = model_or_table if isinstance(model_or_table, str) else model_or_table._meta.db_table
    count = 0

    def counted():
        nonlocal count
        for row in rows:
            count += 1
            yield row

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in counted():
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", counted())
    return count


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


def insert_models(connection, model, rows) -> int:
    """Bulk insert rows given as {field attname: value}; the other fields take their default (or NULL)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    defaults = {f.attname: (f.get_default() if f.has_default() else ("" if f.empty_strings_allowed and not f.null
                                                                        else None)) for f in fields}  # fmt: skip

    def values():
        for row in rows:
            yield tuple(row[f.attname] if f.attname in row else defaults[f.attname] for f in fields)

    return insert(connection, model, columns, values())


def generate_imp_reviews_activity(activity_entries: int, seed: int = 7) -> dict:
    """IMP envelopes and awards, CA opinions, points d'étape and activity entries of the bench schools."""
    from django.db import connection, transaction
    from django.utils import timezone

    from activity.models import ActivityEntry, Review
    from imp.models import BoardOpinion, Envelope, ImpAward, ImpRate
    from missions.models import AllocationPlan, Mission
    from schools.models import Person, SchoolYear

    rnd = random.Random(seed)
    now = timezone.now()
    current = SchoolYear.current()
    years = [SchoolYear.objects.get(start_year=current.start_year - k) for k in (2, 1, 0)]
    rates = list(ImpRate.objects.filter(amount__in=["625.00", "1250.00", "2500.00"]).order_by("amount"))
    missions = list(Mission.objects.filter(kind="standard").values_list("pk", flat=True))
    referents: dict[int, list[int]] = {}
    for person_id, school_id in (
        Person.objects.filter(school__departement__academie__code__startswith="B")
        .order_by("school_id", "pk")
        .values_list("pk", "school_id")
    ):
        staff = referents.setdefault(school_id, [])
        if len(staff) < 3:
            staff.append(person_id)
    schools = sorted(referents)
    submitted = set(
        AllocationPlan.objects.filter(school_id__in=schools, school_year=current, state="submitted").values_list(
            "school_id", flat=True
        )
    )
    counts = {}
    current_states = ["draft", "proposed", "accepted", "validated", "validated", "paying"]
    with transaction.atomic():
        counts["envelopes"] = insert_models(
            connection,
            Envelope,
            (
                {"school_id": school, "school_year_id": year.pk, "amount": Decimal(rnd.choice([3750, 5000, 7500])),
                 "updated_at": now}
                for year in years for school in schools
            ),
        )  # fmt: skip

        def awards():
            for year in years:
                for school in schools:
                    for person in referents[school][: rnd.choice([1, 2, 2])]:
                        state = rnd.choice(current_states) if year is years[-1] else "paying"
                        yield {
                            "school_id": school, "school_year_id": year.pk, "person_id": person, "mission": "rupn",
                            "rate_id": rnd.choice(rates).pk, "whole_year": True, "start_date": year.start_date,
                            "end_date": year.end_date, "state": state, "version": 1, "created_at": now,
                            "updated_at": now,
                        }  # fmt: skip

        counts["IMP awards"] = insert_models(connection, ImpAward, awards())
        counts["CA opinions"] = insert_models(
            connection,
            BoardOpinion,
            (
                {"school_id": school, "school_year_id": current.pk, "body": "ca", "date": current.start_date,
                 "opinion": "favorable", "recorded_at": now, "plan_version": 1}  # the plans' version
                for school in sorted(submitted) if rnd.random() < 0.5
            ),
        )  # fmt: skip

        def reviews():
            for year in years:
                for school in schools:
                    if rnd.random() < 0.1:
                        continue
                    done = year is not years[-1] or rnd.random() < 0.6
                    yield {
                        "school_id": school, "school_year_id": year.pk, "date": year.start_date
                        + datetime.timedelta(days=rnd.randrange(200)), "state": "done" if done else "scheduled",
                        "done_at": now if done else None, "version": 1, "created_at": now, "updated_at": now,
                    }  # fmt: skip

        counts["points d'étape"] = insert_models(connection, Review, reviews())
        people = [person for school in schools for person in referents[school]]

        def entries():
            for n in range(activity_entries):
                year = years[n % 3]
                yield {
                    "person_id": rnd.choice(people), "mission_id": rnd.choice(missions),
                    "date": year.start_date + datetime.timedelta(days=rnd.randrange(300)),
                    "minutes": rnd.choice([15, 30, 45, 60, 90, 120, 180]), "kind": "accompaniment",
                    "description": "Accompagnement", "created_at": now, "updated_at": now,
                }  # fmt: skip

        counts["activity entries"] = insert_models(connection, ActivityEntry, entries())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # statistics and the visibility map, as autovacuum would
    return counts


CPU_PIDS: list[int] = []  # this process and, when local, the PostgreSQL backend serving it


def cpu_ms() -> float:
    """CPU time used so far by CPU_PIDS, in ms (Linux /proc/<pid>/schedstat: nanoseconds on a CPU)."""
    total = 0
    for pid in CPU_PIDS:
        try:
            with open(f"/proc/{pid}/schedstat") as stat:
                total += int(stat.read().split()[0])
        except OSError:
            return float("nan")
    return total / 1e6


CPU_TIMES: dict[int, list[float]] = {}  # id(times list) -> the CPU ms of the same requests


def timed(fn, repeat: int) -> list[float]:
    """Wall-clock ms of each call; the CPU ms (application + database) of each go to CPU_TIMES[id(result)]."""
    times, cpu = [], []
    for _n in range(repeat):
        cpu_started, started = cpu_ms(), time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append(cpu_ms() - cpu_started)
    CPU_TIMES[id(times)] = cpu
    return times


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=11_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--activity", type=int, default=ACTIVITY_ENTRIES, help="activity entries to generate")
    parser.add_argument("--no-record", action="store_true", help="do not write bench/RESULTS.md")
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

    from activity.models import ActivityEntry, Review
    from dashboard import selectors
    from imp.models import ImpAward
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
    from imp.models import Envelope

    started = time.perf_counter()
    if Envelope.objects.filter(school__departement__academie__code="B01").exists():
        extra_counts = None
        print("reusing the IMP, points d'étape and activity already generated in this database")
    else:
        extra_counts = generate_imp_reviews_activity(args.activity)
        print(f"generated in {time.perf_counter() - started:.1f} s: {extra_counts}")
    extra_generated_in = time.perf_counter() - started

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

    if connection.vendor == "postgresql":  # the map draws the schools the directory import placed
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE schools_school SET latitude = round((46 + random() * 3)::numeric, 6),"
                " longitude = round((2 + random() * 4)::numeric, 6) WHERE latitude IS NULL"
            )
    pages = [
        ("dashboard", dane_client, "/dane/"),
        ("map points (JSON)", dane_client, "/dane/carte.json"),
        ("table page", dane_client, f"/dane/etablissements/?departement={dep.code}&kind=college&sort=-coverage"),
        ("CSV export", dane_client, "/dane/etablissements.csv"),
        ("allocation table", principal_client, f"/etablissements/{plan.school.uai}/{year.name}/repartition/"),
    ]
    sql, params = selectors.figures_sql([largest.pk], year)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    CPU_PIDS[:] = [os.getpid()]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        if Path(f"/proc/{backend}/schedstat").exists():
            CPU_PIDS.append(backend)
    load_before = os.getloadavg()
    results = []
    raw_times: list[float] = []
    for label, client, url in pages:
        get(client, url)()  # warm up
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            get(client, url)()
        if label == "dashboard":
            # The figures' statement alone, interleaved with the dashboard's requests: both see the same load.
            raw()
            times, cpu, raw_cpu = [], [], []
            for _n in range(args.requests):
                one = timed(get(client, url), 1)
                times += one
                cpu += CPU_TIMES[id(one)]
                one = timed(raw, 1)
                raw_times += one
                raw_cpu += CPU_TIMES[id(one)]
        else:
            times = timed(get(client, url), args.requests)
            cpu = CPU_TIMES[id(times)]
        results.append((label, statistics.median(times), p95(times), len(queries), statistics.median(cpu), p95(cpu)))
        print(
            f"{label:18} p50 {results[-1][1]:7.1f} ms  p95 {results[-1][2]:7.1f} ms  "
            f"CPU p50 {results[-1][4]:7.1f} ms  p95 {results[-1][5]:7.1f} ms  {len(queries)} queries"
        )
    print(f"raw SQL            p50 {statistics.median(raw_times):7.1f} ms  p95 {p95(raw_times):7.1f} ms")

    tracemalloc.start()
    get(dane_client, "/dane/etablissements.csv")()
    _current, csv_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("EXPLAIN ANALYZE of the figures:\n" + "\n".join(row[0] for row in cursor.fetchall()))

    if connection.vendor == "postgresql":
        vendor = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        vendor = f"{connection.vendor} {connection.Database.sqlite_version}"
    dashboard_p50 = results[0][1]
    cpu_ratio = results[0][4] / statistics.median(raw_cpu)
    load = " / ".join(" ".join(f"{value:.1f}" for value in loads) for loads in (load_before, os.getloadavg()))
    generated = []
    if counts:
        generated.append(f"schools, plans, rows and holders generated in {generated_in:.0f} s ({counts})")
    if extra_counts:
        generated.append(f"IMP, points d'étape and activity generated in {extra_generated_in:.0f} s ({extra_counts})")
    lines = [
        f"{START}\n## Dashboard (bench/dashboard.py)\n\n",
        f"Run on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC — {platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"(1, 5, 15 min) {load} before / after the measures (the machine is shared with other builds); "
        f"{platform.python_implementation()} {platform.python_version()}, {vendor}; {args.requests} requests each "
        f"through the Django test client, DEBUG off. Data: {School.objects.count()} schools in the database, the "
        f"largest académie has {schools_in_largest} schools; {ActivityEntry.objects.count()} activity entries, "
        f"{ImpAward.objects.count()} IMP awards, {Envelope.objects.count()} envelopes, "
        f"{Review.objects.count()} points d'étape. "
        + ("; ".join(generated) + "." if generated else "Data set reused.")
        + "\n",
        "\nWall-clock time is what a user waits for; on a shared machine it includes the time spent waiting for a "
        "CPU. The CPU time (of this process and of the PostgreSQL backend serving it, from /proc/<pid>/schedstat) "
        "is the work each request needs: what it takes on an idle server.\n",
        "\n| request | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms | queries | goal (p95) |\n"
        "|---|---|---|---|---|---|---|\n",
    ]
    for label, p50, p95_ms, queries, cpu50, cpu95 in results:
        goal = GOALS_MS.get(label)
        verdict = ""
        if goal:
            verdict = (
                f"< {goal} ms: wall **{'OK' if p95_ms < goal else 'MISSED'}**, "
                f"CPU **{'OK' if cpu95 < goal else 'MISSED'}**"
            )
        lines.append(f"| {label} | {p50:.1f} | {p95_ms:.1f} | {cpu50:.1f} | {cpu95:.1f} | {queries} | {verdict} |\n")
    raw_p50 = statistics.median(raw_times)
    lines.append(
        f"| hand-written SQL of the figures (selectors.FIGURES_SQL, 1 statement, run between the dashboard's "
        f"requests) | {raw_p50:.1f} | {p95(raw_times):.1f} | {statistics.median(raw_cpu):.1f} | "
        f"{p95(raw_cpu):.1f} | 1 | |\n"
    )
    ratio = dashboard_p50 / raw_p50
    lines.append(
        f"\nDashboard / raw SQL (p50): **{ratio:.2f}×** wall, {cpu_ratio:.2f}× CPU "
        f"(goal within 3×: **{'OK' if ratio <= 3 else 'MISSED'}**).\n"
    )
    export_p95 = next(result[2] for result in results if result[0] == "CSV export")
    lines.append(
        f"CSV export of the {schools_in_largest} schools of the académie, streamed: p95 {export_p95 / 1000:.2f} s "
        f"(goal under 2 s: **{'OK' if export_p95 < 2000 else 'MISSED'}**), peak Python memory "
        f"{csv_peak / 1024:.0f} KiB (tracemalloc).\n{END}\n"
    )
    section = "".join(lines)
    if not args.no_record:
        replace_section(START, END, section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
