"""CPU per request of the pages, side by side with the login page's, in one run (make bench; issue 21, goal 1).

The login page is the stack's floor (middleware, session, one template): every page is given as a multiple of it.
The pages are requested in rounds, each round every page once, so that whatever else the machine does weighs on
all of them alike; the figure kept is the median over the rounds of the CPU time of this process (process_time:
what the page costs, hardly changed by the load of a shared machine), with the queries of the page.

Data: the académie de Dijon's demo (`load_demo`, 82 schools), in a throwaway SQLite database under var/ (its
queries then run in this process and count in its CPU), or in the PostgreSQL database of BENCH_DATABASE_URL (its
queries run in the server: their time is left out, and the queries' count says what they are). Django's test
client with DEBUG off; each user's pages through a logged-in client.

    .venv/bin/python bench/pages_cpu.py [--rounds 30] [--profile "school page"]

--profile prints cProfile's top functions for one page, then the CPU time spent in each of its templates (the
figures are not written).
The results replace the "pages" section of bench/RESULTS.md.
"""

import argparse
import cProfile
import datetime
import io
import os
import platform
import pstats
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from _results import replace_section

ROOT = Path(__file__).resolve().parent.parent
DATABASE = ROOT / "var" / "bench-pages.sqlite3"
START, END = "<!-- bench/pages_cpu.py: start -->", "<!-- bench/pages_cpu.py: end -->"
GOAL = 4.0  # × the login page
WARMUP = 3


def setup_django() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    os.environ["DJANGO_SETTINGS_MODULE"] = "rupn.settings.base"
    os.environ["DATABASE_URL"] = url or f"sqlite:///{DATABASE}"
    os.environ["REDIS_URL"] = ""
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["DEBUG"] = "false"  # as in production: no query log, cached templates
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    return f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}".strip()


def build_data() -> None:
    """The demo, once (load_demo changes nothing when run again)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", verbosity=0, stdout=quiet)


def pages() -> list[tuple[str, str | None, str]]:
    """(name, e-mail of the user or None for anonymous, URL): the login page first."""
    from demo.loader import DEMO_DOMAIN, DEMO_SCHOOL, DEMO_YEAR
    from schools.models import SchoolYear

    uai, year = DEMO_SCHOOL[0], SchoolYear.objects.get(start_year=DEMO_YEAR).name
    school, plan = f"/etablissements/{uai}/", f"/etablissements/{uai}/{year}/"
    principal, referent, dane = (f"{who}@{DEMO_DOMAIN}" for who in ("principal", "referent", "dane"))
    return [
        ("login page", None, "/connexion/"),
        ("school page", principal, school),
        ("allocation table", principal, f"{plan}repartition/"),
        ("IMP page", principal, f"{plan}imp/"),
        ("staff list", principal, f"{school}personnels/"),
        ("activity log (school)", principal, f"{plan}activite/"),
        ("activity log (referent)", referent, "/activite/"),
        ("points d'étape", principal, f"{plan}points-etape/"),
        ("CA sheet preview", principal, f"{plan}fiche-ca/"),
        ("DANE dashboard", dane, "/dane/"),
        ("DANE school table", dane, "/dane/etablissements/"),
    ]


def clients(emails: set[str]) -> dict:
    from django.test import Client

    from schools.models import User

    found = {None: Client()}
    for user in User.objects.filter(email__in=emails).order_by("pk"):
        found[user.email] = Client()
        found[user.email].force_login(user)
    return found


def request(client, url: str) -> tuple[float, int]:
    """CPU seconds of one request, and its number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.process_time()
        response = client.get(url)
        cpu = time.process_time() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code}")
    return cpu, len(queries)


def measure(rounds: int) -> dict[str, dict]:
    listed = pages()
    by_email = clients({email for _name, email, _url in listed if email})
    cpu: dict[str, list[float]] = {name: [] for name, _e, _u in listed}
    queries: dict[str, int] = {}
    for number in range(WARMUP + rounds):
        for name, email, url in listed:
            seconds, count = request(by_email[email], url)
            if number >= WARMUP:
                cpu[name].append(seconds)
                queries[name] = count
    return {
        name: {"url": url, "cpu_ms": statistics.median(cpu[name]) * 1000, "queries": queries[name]}
        for name, _email, url in listed
    }


def template_times(client, url: str, times: int = 10) -> list[tuple[str, float, float]]:
    """(template, CPU ms per request spent rendering it, includes included, renders per request), heaviest first."""
    from django.template import base

    spent: Counter = Counter()
    renders: Counter = Counter()
    render = base.Template._render

    def timed(template, context):
        started = time.process_time()
        try:
            return render(template, context)
        finally:
            name = template.origin.template_name if template.origin else "?"
            spent[name] += time.process_time() - started
            renders[name] += 1

    base.Template._render = timed
    try:
        for _ in range(times):
            client.get(url)
    finally:
        base.Template._render = render
    return [(name, seconds / times * 1000, renders[name] / times) for name, seconds in spent.most_common(15)]


def profile(name: str) -> None:
    listed = {page[0]: page for page in pages()}
    _name, email, url = listed[name]
    client = clients({email} if email else set())[email]
    for _ in range(WARMUP):
        request(client, url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        request(client, url)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
    print(out.getvalue())
    print("Templates (CPU ms per request, includes included; renders per request):")
    for template, ms, renders in template_times(client, url):
        print(f"{ms:8.2f} ms {renders:6.1f}×  {template}")


def section(figures: dict[str, dict], *, rounds: int, database: str, load_before, load_after) -> str:
    floor = figures["login page"]["cpu_ms"]
    owners = {"allocation table": " (alloc)", "DANE dashboard": " (dash)", "DANE school table": " (dash)"}
    rows = []
    for name, page in figures.items():
        ratio = page["cpu_ms"] / floor
        verdict = "" if name == "login page" else ("✅" if ratio <= GOAL else "❌")
        rows.append(
            f"| {name}{owners.get(name, '')} | `{page['url']}` | {page['cpu_ms']:.1f} | {ratio:.1f}× {verdict} "
            f"| {page['queries']} |"
        )
    return "\n".join(
        [
            START,
            "## CPU per request of the pages (bench/pages_cpu.py)",
            "",
            f"Run on {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} — {platform.machine()}, "
            f"{os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in load_before)} before and "
            f"{' '.join(f'{x:.1f}' for x in load_after)} after (the machine is shared); Python "
            f"{platform.python_version()}, {database}, demo data of the académie de Dijon (82 schools), Django's "
            f"test client, DEBUG off. Median over {rounds} rounds (each round every page once, after {WARMUP} "
            f"rounds of warm-up) of this process's CPU time per request"
            + (" (SQLite's queries included)" if database.startswith("sqlite") else " (PostgreSQL's left out)")
            + f". Goal: every page within {GOAL:.0f}× the login page.",
            "",
            "| page | URL | CPU ms | × login page | queries |",
            "|---|---|---|---|---|",
            *rows,
            END,
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--profile", help="a page's name: print its profile instead")
    args = parser.parse_args()
    load_before = os.getloadavg()
    database = setup_django()
    started = time.monotonic()
    build_data()
    print(f"[pages] data ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
    if args.profile:
        profile(args.profile)
        return 0
    figures = measure(args.rounds)
    replace_section(
        START,
        END,
        section(figures, rounds=args.rounds, database=database, load_before=load_before, load_after=os.getloadavg()),
    )
    floor = figures["login page"]["cpu_ms"]
    for name, page in figures.items():
        print(f"{name:28} {page['cpu_ms']:7.1f} ms {page['cpu_ms'] / floor:5.1f}× {page['queries']:3} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
