"""Load test: gunicorn + PostgreSQL on loopback, locust's users for a bounded time, then "no lost write" (issue 8).

    make load                                  (a throwaway PostgreSQL from .ci/test-services, then this script)
    LOAD_USERS=20 LOAD_DURATION=120 .ci/test-services --postgres-only .venv/bin/python bench/load/run.py

Needs DATABASE_URL pointing at an empty PostgreSQL database (make load gives one). Steps:
1. migrate, load the demo (`load_demo`), and give a password-known account to every user of the test: the
   demo's principals (two locust users per principal account, so that their saves cross), one referent account
   per referent user (made here, on a teacher of a school with a plan: the demo has one referent only), the DANE;
   collectstatic runs meanwhile;
2. gunicorn as in docker-compose.yml (3 sync workers; --preload for a faster start) with rupn.settings.loadtest (production's, over http) on
   127.0.0.1 only, static files served by whitenoise;
3. locust, headless, LOAD_USERS users (default 20) for LOAD_DURATION seconds (default 120), bench/load/locustfile.py;
4. every save locust's users saw confirmed is looked up in the database: each plan's version went up by exactly
   the number of confirmed saves, each row changed has the holders of its last confirmed save, each activity
   entry added is there once;
5. figures into bench/RESULTS.md (its own section, replaced on each run; --no-results for the smoke test).
Exit status: 0 only with no failed request (any 5xx or unexpected status), no lost write and no unfinished save.
Gunicorn and locust are stopped whatever happens (Ctrl-C included); make load's wrapper stops PostgreSQL.
"""

import argparse
import datetime
import json
import math
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from _results import RESULTS, replace_section  # noqa: E402

START, END = "<!-- bench/load: start -->", "<!-- bench/load: end -->"
# At the end, each user finishes what it is doing (a save and its retries): a request cut in flight could be
# saved without the user knowing, and would then look like a write nobody made.
STOP_TIMEOUT = 180
PRINCIPAL_SHARE, REFERENT_SHARE = 10 / 20, 6 / 20  # the locustfile's weights (principal 10, referent 6, DANE 4)


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


def prepare(users: int) -> dict:
    """Migrate, load the demo and return the accounts of the test (run in this process, Django set up)."""
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

    principal_accounts = max(1, math.ceil(users * PRINCIPAL_SHARE / 2))
    referent_accounts = max(1, math.ceil(users * REFERENT_SHARE))
    plans = list(
        AllocationPlan.objects.filter(school_year__start_year=DEMO_YEAR)
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
        accounts["referent"].append({"email": email})
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
    gave_up = sum(1 for e in entries if e["kind"] == "gave_up")
    if gave_up:
        problems.append(f"{gave_up} saves abandoned after repeated conflicts")
    return {"plan_saves": len(saves), "activities": len(activities), "rows": len(last), "problems": problems}


def results_section(*, users, duration, stats, checked, machine) -> str:
    rows = [
        f"| {r['method']} {r['name']} | {r['count']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} "
        f"| {r['failures']} |"
        for r in stats["requests"]
    ]
    total = stats["total"]
    rows.append(
        f"| **all requests** | {total['count']} | {total['rps']:.1f} | {total['p50']:.0f} | {total['p95']:.0f} "
        f"| {total['failures']} |"
    )
    conflicts = sum(r["count"] for r in stats["requests"] if "conflict" in r["name"])
    failures = total["failures"]
    lost = len(checked["problems"])
    verdict = "**OK**" if not failures and not lost else "**FAILED**"
    return "\n".join(
        [
            START,
            "## Load (bench/load/run.py, `make load`)",
            "",
            f"Run on {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} — {machine}. gunicorn (3 sync workers, production "
            "settings over http on 127.0.0.1), PostgreSQL on loopback, demo data of the académie de Dijon; "
            f"locust: {users} users for {duration} s (principals saving their table in pairs on the same plan, "
            "referents adding to their log, the DANE on its dashboard and table; 0.5–2 s between actions). "
            f"{verdict}",
            "",
            "| request | count | requests/s | p50 ms | p95 ms | errors |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            f"Errors (5xx or any unexpected status): **{failures}**. Conflicts (409: the table reopened and the save "
            f"retried): **{conflicts}**. Saves confirmed: {checked['plan_saves']} allocation saves on "
            f"{checked['rows']} rows, {checked['activities']} activity entries; lost writes: **{lost}**"
            + (": " + "; ".join(checked["problems"][:5]) if lost else "")
            + ".",
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
        "after (other work may share the machine; locust runs on it too)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", 20)))
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
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    env = settings_env(ROOT, args.static_storage)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    gunicorn = locust = collect = None
    load_before = os.getloadavg()
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
            accounts = prepare(args.users)
            (work / "accounts.json").write_text(json.dumps(accounts))
            if collect.wait() != 0:
                log("collectstatic failed")
                return 1
            log(f"database and static files ready in {time.monotonic() - started:.0f} s")

            port = free_port()
            gunicorn_log = work / "gunicorn.log"
            with open(gunicorn_log, "w") as gunicorn_output:
                gunicorn = subprocess.Popen(
                    [
                        *(sys.executable, "-m", "gunicorn", "rupn.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "3"),
                        "--preload",  # Django imported once, then forked: a faster start (not measured)
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=gunicorn_output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            wait_until_up(f"http://127.0.0.1:{port}/connexion/", gunicorn)
            log(
                f"gunicorn on 127.0.0.1:{port} after {time.monotonic() - started:.0f} s; locust: {args.users} users for {args.duration} s"
            )

            journal = work / "journal.jsonl"
            locust = subprocess.Popen(
                [
                    *(sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "load" / "locustfile.py")),
                    *("--headless", "--users", str(args.users), "--spawn-rate", str(args.users)),
                    *(
                        "--run-time",
                        f"{args.duration}s",
                        "--stop-timeout",
                        str(STOP_TIMEOUT),
                        "--host",
                        f"http://127.0.0.1:{port}",
                    ),
                    *("--only-summary", "--loglevel", "WARNING"),
                ],
                cwd=ROOT,
                env=env
                | {
                    "LOAD_ACCOUNTS": str(work / "accounts.json"),
                    "LOAD_JOURNAL": str(journal),
                    "LOAD_STATS": str(work / "stats.json"),
                    "LOAD_RUN_ID": secrets.token_hex(4),
                },
                start_new_session=True,
            )
            locust_rc = locust.wait(timeout=args.duration + STOP_TIMEOUT + 120)
            log(f"locust done after {time.monotonic() - started:.0f} s")
            # Read before stopping gunicorn: only what happened under load counts (not its shutdown).
            server_log = gunicorn_log.read_text(errors="replace")
            server_errors = [line for line in server_log.splitlines() if "Traceback" in line or "CRITICAL" in line]
            stop(gunicorn, "gunicorn")

            if not (work / "stats.json").exists():
                log(f"locust wrote no figures (exit {locust_rc})")
                return 1
            stats = json.loads((work / "stats.json").read_text())
            failures = stats["total"]["failures"]
            checked = verify(accounts, journal)
            log(
                f"{stats['total']['count']} requests, {failures} errors, {checked['plan_saves']} plan saves and "
                f"{checked['activities']} activity entries confirmed, lost writes: {len(checked['problems'])}"
            )
            for error in stats["errors"]:
                log(f"ERROR: {error}")
            for problem in checked["problems"]:
                log(f"LOST WRITE: {problem}")
            if server_errors:
                log(f"gunicorn logged {len(server_errors)} errors under load:\n" + server_log[-5000:])
            if not args.no_results:
                write_results(
                    results_section(
                        users=args.users,
                        duration=args.duration,
                        stats=stats,
                        checked=checked,
                        machine=machine_line(load_before),
                    )
                )
                log(f"figures written to {RESULTS.relative_to(ROOT)}")
            ok = locust_rc == 0 and failures == 0 and not checked["problems"] and not server_errors
            if not ok:
                log(
                    f"FAILED: locust exit {locust_rc}, {failures} failed requests, {len(checked['problems'])} lost "
                    f"writes, {len(server_errors)} server errors"
                )
            return 0 if ok else 1
        finally:
            for process, name in ((locust, "locust"), (gunicorn, "gunicorn"), (collect, "collectstatic")):
                stop(process, name)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C: gunicorn and locust were stopped by main()'s finally
        log("interrupted")
        sys.exit(130)
