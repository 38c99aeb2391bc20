"""Load test: gunicorn + PostgreSQL on loopback, driven by wrk (compiled, a few % of a core), then "no lost write".

    make load                                  (a throwaway PostgreSQL from .ci/test-services, then this script)
    LOAD_USERS=50 LOAD_DURATION=120 .ci/test-services --postgres-only .venv/bin/python bench/load/run.py

Needs DATABASE_URL pointing at an empty PostgreSQL database (make load gives one) and wrk (Debian's `wrk`). Steps:
1. migrate, load the demo (`load_demo`), and give a password-known account to every user of the test: 40 % of the
   users are principals, each with a plan of its own, 40 % referents (accounts made here, on teachers of schools
   with a plan), the rest the DANE; collectstatic runs meanwhile;
2. gunicorn as in docker-compose.yml (deploy/gunicorn.conf.py: 3 gthread workers of 4 threads, keep-alive 10 s;
   --preload for a faster start) with rupn.settings.loadtest
   (production's, over http) on 127.0.0.1 only, static files served by whitenoise;
3. the forms each user will post are read once here (the fields a browser would send back, minus what changes:
   the CSRF token, the plan's version and base, the rows being changed), into a Lua table for wrk;
4. wrk, one thread and one connection per user (bench/load/rupn.lua: login through the login page with its CSRF
   token, then each kind's cycle of pages and saves, 1–3 s apart) for LOAD_DURATION seconds;
5. every save wrk's users saw confirmed is looked up in the database: each plan's version went up by exactly
   the number of confirmed saves, each row changed has the holders of its last confirmed save, each activity
   entry added is there once;
6. figures into bench/RESULTS.md (its own section, replaced on each run; --no-results for the smoke test):
   requests/s, wrk's p50/p95/p99 over every request, each page's server time from gunicorn's access log, and the
   CPU per request of the gunicorn workers and of PostgreSQL (from /proc, over the run only).
Exit status: 0 only with no failed request (any error or unexpected status), no lost write and no server error.
Gunicorn and wrk are stopped whatever happens (Ctrl-C included); make load's wrapper stops PostgreSQL.
"""

import argparse
import datetime
import json
import os
import platform
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
from _results import RESULTS, replace_section  # noqa: E402

from tests.utils import extract_form_fields  # noqa: E402  (the same form reading as the tests)

START, END = "<!-- bench/load: start -->", "<!-- bench/load: end -->"
SAVE_MARGIN = 5  # seconds before the end after which no save starts (none is cut in flight)
CANDIDATE_ROWS = 6  # rows of each plan whose holder the principal changes
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(M)s"  # method, path, status, milliseconds
# The name of each request in the figures, from its method and path.
PAGES = [
    ("GET", r"/connexion/", "login page"),
    ("POST", r"/connexion/", "login"),
    ("GET", r"/etablissements/[^/]+/", "school page"),
    ("GET", r"/etablissements/[^/]+/[^/]+/repartition/", "allocation table"),
    ("POST", r"/etablissements/[^/]+/[^/]+/repartition/", "allocation save"),
    ("GET", r"/etablissements/[^/]+/[^/]+/imp/", "IMP page"),
    ("GET", r"/etablissements/[^/]+/personnels/", "staff list"),
    ("GET", r"/etablissements/[^/]+/[^/]+/points-etape/", "points d'étape"),
    ("GET", r"/etablissements/[^/]+/[^/]+/fiche-ca/", "CA sheet preview"),
    ("GET", r"/activite/", "activity log"),
    ("POST", r"/activite/", "activity add"),
    ("GET", r"/dane/", "DANE dashboard"),
    ("GET", r"/dane/etablissements/", "DANE school table"),
    ("GET", r"/dane/points-etape/", "DANE points d'étape"),
]


def log(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings_env(work: Path, static_storage: str) -> dict[str, str]:
    """The environment of every process of the test: production settings relaxed for http on loopback."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "rupn.settings.loadtest",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "dummymail://",
        "OPENBADGES_ISSUER_EMAIL": "numerique@ac-dijon.fr",
        "REDIS_URL": "",  # no broker: the few jobs run in the request, as with `make run`
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "LOAD_STATIC_ROOT": str(ROOT / "var" / f"load-static-{static_storage or 'compressed'}"),
        "LOAD_STATIC_STORAGE": static_storage,
        "PYTHONUNBUFFERED": "1",
    }


def prepare(principal_accounts: int, referent_accounts: int) -> dict:
    """Migrate, load the demo and return the accounts of the test (run in this process, Django set up): one
    principal account per principal user, each with a plan of its own; referent accounts made on teachers."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", verbosity=0, stdout=quiet)

    from demo.loader import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_YEAR
    from missions.models import AllocationPlan
    from schools.models import Person, Role, User

    plans = list(
        # drafts only: a submitted plan reads as the CA sees it and changes only through "Modifier le plan soumis"
        AllocationPlan.objects.filter(school_year__start_year=DEMO_YEAR, state=AllocationPlan.State.DRAFT)
        .select_related("school", "school_year")
        .order_by("school__uai")[: max(principal_accounts, referent_accounts)]
    )
    principals = {
        r.school_id: r.user.email
        for r in Role.objects.filter(kind=Role.Kind.PRINCIPAL, school__in=[p.school for p in plans]).select_related(
            "user"
        )
    }
    accounts = {
        "password": DEMO_PASSWORD,
        "principal": [
            {
                "email": principals[plan.school_id],
                "plan": plan.pk,
                "version": plan.version,
                "uai": plan.school.uai,
                "year": plan.school_year.name,
                "allocation_url": f"/etablissements/{plan.school.uai}/{plan.school_year.name}/repartition/",
            }
            for plan in plans[:principal_accounts]
        ],
        "referent": [],
        "dane": [{"email": f"dane@{DEMO_DOMAIN}"}],
    }
    password = make_password(DEMO_PASSWORD)
    for number, plan in enumerate(plans[:referent_accounts], start=1):
        email = f"referent.charge{number}@{DEMO_DOMAIN}"
        user, _created = User.objects.get_or_create(
            email=email, defaults={"first_name": "Charge", "last_name": f"Test {number}", "password": password}
        )
        Role.objects.get_or_create(user=user, kind=Role.Kind.REFERENT, school=plan.school)
        person = (
            Person.objects.filter(school=plan.school, user__isnull=True, leaving=False, status=Person.Status.TEACHER)
            .order_by("pk")
            .first()
        )
        if not Person.objects.filter(user=user, school=plan.school).exists():
            person.user = user
            person.save(update_fields=["user"])
        accounts["referent"].append({"email": email, "uai": plan.school.uai})
    return accounts


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=30) as answer:  # a cold worker on a busy machine is slow
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")


def stop(process: subprocess.Popen | None, name: str) -> None:
    """Stop a process group we started: TERM, then KILL after 10 s."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        log(f"{name} did not stop on TERM: killing it")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def verify(accounts: dict, journal_path: Path) -> dict:
    """Compare the saves the users saw confirmed with the database."""
    from activity.models import ActivityEntry
    from missions.models import AllocationPlan, PlanRow

    entries = [json.loads(line) for line in journal_path.read_text().splitlines()] if journal_path.exists() else []
    saves = [e for e in entries if e["kind"] == "plan"]
    activities = [e for e in entries if e["kind"] == "activity"]
    problems: list[str] = []

    start_versions = {a["plan"]: a["version"] for a in accounts["principal"]}
    saves_per_plan = Counter(s["plan"] for s in saves)
    versions = dict(AllocationPlan.objects.filter(pk__in=list(start_versions)).values_list("pk", "version"))
    for plan, start in start_versions.items():
        if versions[plan] - start != saves_per_plan[plan]:
            problems.append(
                f"plan {plan}: {saves_per_plan[plan]} saves confirmed, version went from {start} to {versions[plan]}"
            )
    seen_versions = Counter((s["plan"], s["version"]) for s in saves)
    problems += [f"plan {p}: two saves confirmed as version {v}" for (p, v), n in seen_versions.items() if n > 1]

    last = {}  # row -> its last confirmed save (by the version it made)
    for save in sorted(saves, key=lambda s: s["version"]):
        last[save["row"]] = save
    holders: dict[int, list[int]] = {row: [] for row in last}
    for row, person in PlanRow.holders.through.objects.filter(planrow_id__in=list(last)).values_list(
        "planrow_id", "person_id"
    ):
        holders[row].append(person)
    for row, save in last.items():
        if sorted(holders[row]) != save["holders"]:
            problems.append(f"row {row}: holders {sorted(holders[row])}, last confirmed save {save['holders']}")

    found = Counter(
        ActivityEntry.objects.filter(description__in=[a["description"] for a in activities]).values_list(
            "description", flat=True
        )
    )
    problems += [
        f"activity entry missing or doubled: {a['description']!r}" for a in activities if found[a["description"]] != 1
    ]
    return {"plan_saves": len(saves), "activities": len(activities), "rows": len(last), "problems": problems}


class _Selects(HTMLParser):
    """The options of each enabled <select> of a page, by field name, and of each group of enabled checkboxes
    sharing a name (the allocation table's people picker)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.options: dict[str, list[str]] = {}
        self._name: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._name = None if "disabled" in attrs else attrs.get("name")
            if self._name:
                self.options[self._name] = []
        elif tag == "option" and self._name and attrs.get("value"):
            self.options[self._name].append(attrs["value"])
        elif tag == "input" and attrs.get("type") == "checkbox" and "disabled" not in attrs and attrs.get("value"):
            self.options.setdefault(attrs.get("name") or "", []).append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._name = None


def selects(html: str) -> dict[str, list[str]]:
    parser = _Selects()
    parser.feed(html)
    return parser.options


def browser(base: str, email: str, password: str) -> requests.Session:
    """A session logged in through the login page, for reading the forms before the run."""
    session = requests.Session()
    page = session.get(f"{base}/connexion/", timeout=60).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    answer = session.post(
        f"{base}/connexion/",
        data={"csrfmiddlewaretoken": token, "username": email, "password": password},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"login of {email}: {answer.status_code}")
    return session


def encode(fields: dict[str, list[str]], *, without: set[str]) -> str:
    return urlencode([(k, v) for k, values in fields.items() if k not in without for v in values])


def users_for_wrk(base: str, accounts: dict) -> list[dict]:
    """What each wrk thread needs: its account, pages, and the forms it posts, minus what changes at each save."""
    users = []
    moving = {"csrfmiddlewaretoken", "version", "base"}
    for account in accounts["principal"]:
        school, year = f"/etablissements/{account['uai']}/", f"/etablissements/{account['uai']}/{account['year']}/"
        html = browser(base, account["email"], accounts["password"]).get(base + account["allocation_url"]).text
        fields = extract_form_fields(html, "allocation-form")
        options = selects(html)
        rows = [
            {"id": int(name.split("-")[1]), "field": name, "options": values, "holders": fields.get(name, [])}
            for name, values in options.items()
            if re.fullmatch(r"row-\d+-holders", name) and values
        ][:CANDIDATE_ROWS]
        users.append(
            {
                "kind": "principal",
                "email": account["email"],
                "plan": account["plan"],
                "allocation_url": account["allocation_url"],
                "allocation_body": encode(fields, without=moving | {r["field"] for r in rows}),
                "rows": rows,
                "pages": {
                    "school": school,
                    "allocation": account["allocation_url"],
                    "imp": f"{year}imp/",
                    "staff": f"{school}personnels/",
                    "points": f"{year}points-etape/",
                    "ca preview": f"{year}fiche-ca/",
                },
            }
        )
    for account in accounts["referent"]:
        html = browser(base, account["email"], accounts["password"]).get(f"{base}/activite/").text
        fields = extract_form_fields(html, "activity-form")
        users.append(
            {
                "kind": "referent",
                "email": account["email"],
                "activity_body": encode(fields, without=moving | {"mission", "duration", "kind", "description"}),
                "missions": selects(html)["mission"],
                "pages": {"activity": "/activite/", "home": f"/etablissements/{account['uai']}/"},
            }
        )
    for account in accounts["dane"]:
        users.append(
            {
                "kind": "dane",
                "email": account["email"],
                "pages": {
                    "dashboard": "/dane/",
                    "school table": "/dane/etablissements/",
                    "dane points": "/dane/points-etape/",
                },
            }
        )
    return users


def to_lua(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{to_lua(k)}] = {to_lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(to_lua(v) for v in value) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # our strings (URLs, urlencoded bodies) are Lua strings too


def lua_users(users: list[dict], password: str) -> str:
    return "return " + to_lua(dict(enumerate(users, start=1)) | {"password": password}) + "\n"


def cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """User + system CPU time of a process (with its reaped children's when asked), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if reaped else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def tree_cpu(pid: int) -> float:
    """CPU of a server (gunicorn's master, PostgreSQL's postmaster) and its children, gone ones included."""
    total = cpu_seconds(pid, reaped=True)
    for child in children(pid):
        try:
            total += cpu_seconds(child)
        except OSError:
            continue
    return total


def postmaster_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])


def page_name(method: str, path: str) -> str:
    for page_method, pattern, name in PAGES:
        if method == page_method and re.fullmatch(pattern, path):
            return name
    return f"{method} other"


def server_times(access_log: str) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    for line in access_log.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3].isdigit():
            times[page_name(parts[0], parts[1])].append(float(parts[3]))
    return times


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def error_kinds(stats: dict) -> str:
    kinds = {
        "connection": stats["connect"],
        "read": stats["read"],
        "write": stats["write"],
        "timeout (30 s)": stats["timeout"],
        "HTTP status ≥ 400": stats["status"],
        "unexpected answer (Lua)": stats["unexpected"],
    }
    return ", ".join(f"{name} {count}" for name, count in kinds.items() if count) or "none"


def results_section(*, users, duration, kinds, stats, times, cpu, checked, machine) -> str:
    served = sum(len(v) for v in times.values())
    rows = [
        f"| {name} | {len(values)} | {percentile(values, 50):.0f} | {percentile(values, 95):.0f} |"
        for name, values in sorted(times.items(), key=lambda item: -len(item[1]))
    ]
    errors = stats["connect"] + stats["read"] + stats["write"] + stats["status"] + stats["timeout"]
    failures = errors + stats["unexpected"]
    lost = len(checked["problems"])
    seconds = stats["duration_us"] / 1e6
    verdict = "**OK**" if not failures and not lost else "**FAILED**"
    goal = "met" if stats["p95_us"] / 1000 < 500 else "not met"
    return "\n".join(
        [
            START,
            "## Load (bench/load/run.py, `make load`)",
            "",
            f"Run on {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} — {machine}. gunicorn (3 gthread workers of 4 threads, "
            "production settings over http on 127.0.0.1), PostgreSQL on loopback, demo data of the académie de Dijon; "
            f"wrk (bench/load/rupn.lua): {users} users for {duration} s, one connection each — {kinds['principal']} "
            f"principals (each saving its own plan), {kinds['referent']} referents (adding to their log), "
            f"{kinds['dane']} DANE (dashboard, table, points d'étape); 1–3 s between actions. {verdict}",
            "",
            f"**{stats['requests'] / seconds:.1f} requests/s**; latency over every request (wrk, client side): "
            f"p50 **{stats['p50_us'] / 1000:.0f} ms**, p95 **{stats['p95_us'] / 1000:.0f} ms**, p99 "
            f"**{stats['p99_us'] / 1000:.0f} ms**, max {stats['max_us'] / 1000:.0f} ms (goal: p95 under 500 ms with "
            f"50 users on 2 cores: {goal}). CPU per request: **{cpu['gunicorn'] / served * 1000:.1f} ms** in the "
            f"gunicorn workers, {cpu['postgres'] / served * 1000:.1f} ms in PostgreSQL, "
            f"{cpu['wrk'] / served * 1000:.2f} ms in wrk ({served} requests served; the machine's {os.cpu_count()} "
            f"cores were busy {cpu['gunicorn'] / seconds * 100:.0f} % + {cpu['postgres'] / seconds * 100:.0f} % "
            f"+ {cpu['wrk'] / seconds * 100:.0f} % of one core with them).",
            "",
            "| request | count | server p50 ms | server p95 ms |",
            "|---|---|---|---|",
            *rows,
            "",
            "Server times are gunicorn's (from the request read to the response written); wrk's figures above add "
            "the wait for a free worker.",
            "",
            f"Errors (connection, timeout, 5xx or any unexpected status): **{failures}** ({error_kinds(stats)}). "
            "Saves confirmed: "
            f"{checked['plan_saves']} allocation saves on {checked['rows']} rows, {checked['activities']} activity "
            f"entries; lost writes: **{lost}**" + (": " + "; ".join(checked["problems"][:5]) if lost else "") + ".",
            END,
        ]
    )


def write_results(section: str) -> None:
    replace_section(START, END, section)


def machine_line(load_before: tuple[float, ...]) -> str:
    load_after = os.getloadavg()
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{' '.join(f'{x:.1f}' for x in load_before)} before and {' '.join(f'{x:.1f}' for x in load_after)} "
        "after (other work may share the machine; wrk runs on it too)"
    )


def split(users: int) -> dict[str, int]:
    principals = max(1, round(users * 0.4))
    referents = max(1, round(users * 0.4))
    return {"principal": principals, "referent": referents, "dane": max(1, users - principals - referents)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", 50)))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("LOAD_DURATION", 120)), help="seconds")
    parser.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md (smoke test)")
    parser.add_argument(
        "--static-storage",
        default="",
        choices=["", "manifest"],
        help="manifest: hashed static files without compression (faster to collect, for the smoke test)",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        log("DATABASE_URL must name an empty PostgreSQL database: run `make load`")
        return 2
    wrk = next((p for p in ("/usr/bin/wrk", "/usr/local/bin/wrk") if Path(p).exists()), None)
    if wrk is None:
        log("wrk is missing: apt-get install wrk (make load installs it as root)")
        return 3
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    env = settings_env(ROOT, args.static_storage)
    os.environ.update(env)
    gunicorn = load = collect = None
    load_before = os.getloadavg()
    kinds = split(args.users)
    with tempfile.TemporaryDirectory(prefix="rupn-load-") as tmp:
        work = Path(tmp)
        try:
            started = time.monotonic()
            collect = subprocess.Popen(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
            accounts = prepare(kinds["principal"], kinds["referent"])
            accounts["dane"] *= kinds["dane"]  # the DANE users share its account (they only read)
            postgres = postmaster_pid()
            if collect.wait() != 0:
                log("collectstatic failed")
                return 1
            log(f"database and static files ready in {time.monotonic() - started:.0f} s")

            port = free_port()
            base = f"http://127.0.0.1:{port}"
            access_log, gunicorn_log = work / "access.log", work / "gunicorn.log"
            with open(gunicorn_log, "w") as gunicorn_output:
                gunicorn = subprocess.Popen(
                    [
                        *(sys.executable, "-m", "gunicorn", "rupn.wsgi", "-b", f"127.0.0.1:{port}"),
                        *("-c", str(ROOT / "deploy" / "gunicorn.conf.py")),  # as in production
                        "--preload",  # Django imported once, then forked: a faster start (not measured)
                        *("--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT),
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=gunicorn_output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            wait_until_up(f"{base}/connexion/", gunicorn)
            users = users_for_wrk(base, accounts)
            (work / "users.lua").write_text(lua_users(users, accounts["password"]), encoding="utf-8")
            log(
                f"gunicorn on {base} after {time.monotonic() - started:.0f} s; wrk: {len(users)} users for {args.duration} s"
            )

            journal, stats_file = work / "journal.jsonl", work / "stats.json"
            log_offset = access_log.stat().st_size
            before = {"gunicorn": tree_cpu(gunicorn.pid), "postgres": tree_cpu(postgres)}
            wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            save_until = int(time.time()) + args.duration - SAVE_MARGIN
            load = subprocess.Popen(
                [
                    *(wrk, "-t", str(len(users)), "-c", str(len(users)), "-d", f"{args.duration}s"),
                    *("--timeout", "30s", "-s", str(ROOT / "bench" / "load" / "rupn.lua"), base),
                    *("--", str(work / "users.lua"), str(journal), str(save_until), secrets.token_hex(4)),
                ],
                cwd=ROOT,
                env=env | {"LOAD_JOURNAL": str(journal), "LOAD_STATS": str(stats_file)},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            wrk_output, _ = load.communicate(timeout=args.duration + 120)
            wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = {
                "gunicorn": tree_cpu(gunicorn.pid) - before["gunicorn"],
                "postgres": tree_cpu(postgres) - before["postgres"],
                "wrk": (wrk_after.ru_utime + wrk_after.ru_stime) - (wrk_before.ru_utime + wrk_before.ru_stime),
            }
            log(f"wrk done after {time.monotonic() - started:.0f} s")
            # Read before stopping gunicorn: only what happened under load counts (not its shutdown).
            with open(access_log, encoding="utf-8", errors="replace") as handle:
                handle.seek(log_offset)
                times = server_times(handle.read())
            server_log = gunicorn_log.read_text(errors="replace")
            server_errors = [line for line in server_log.splitlines() if "Traceback" in line or "CRITICAL" in line]
            stop(gunicorn, "gunicorn")

            if load.returncode != 0 or not stats_file.exists():
                log(f"wrk wrote no figures (exit {load.returncode}):\n{wrk_output[-3000:]}")
                return 1
            stats = json.loads(stats_file.read_text())
            errors = stats["connect"] + stats["read"] + stats["write"] + stats["status"] + stats["timeout"]
            failures = errors + stats["unexpected"]
            checked = verify(accounts, journal)
            log(
                f"{stats['requests']} requests, {failures} errors, {checked['plan_saves']} plan saves and "
                f"{checked['activities']} activity entries confirmed, lost writes: {len(checked['problems'])}"
            )
            if failures:
                log("errors: " + error_kinds(stats))
            for line in journal.read_text().splitlines():
                if '"unexpected"' in line:
                    log(f"ERROR: {json.loads(line)['what']}")
            for problem in checked["problems"]:
                log(f"LOST WRITE: {problem}")
            if server_errors:
                log(f"gunicorn logged {len(server_errors)} errors under load:\n" + server_log[-5000:])
            if not args.no_results:
                write_results(
                    results_section(
                        users=len(users),
                        duration=args.duration,
                        kinds=kinds,
                        stats=stats,
                        times=times,
                        cpu=cpu,
                        checked=checked,
                        machine=machine_line(load_before),
                    )
                )
                log(f"figures written to {RESULTS.relative_to(ROOT)}")
            ok = failures == 0 and not checked["problems"] and not server_errors
            if not ok:
                log(
                    f"FAILED: {failures} failed requests, {len(checked['problems'])} lost writes, "
                    f"{len(server_errors)} server errors"
                )
            return 0 if ok else 1
        finally:
            for process, name in ((load, "wrk"), (gunicorn, "gunicorn"), (collect, "collectstatic")):
                stop(process, name)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C: gunicorn and wrk were stopped by main()'s finally
        log("interrupted")
        sys.exit(130)
