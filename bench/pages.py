"""CPU per request of the pages, beside the login page's (issue 21 goal 1; make bench).

Each page is requested through the Django test client in this process, with DEBUG off, on the demo data
(`load_demo`, the académie de Dijon) in a throwaway SQLite database under var/ (or BENCH_DATABASE_URL). After a
warm-up, the CPU time of this process (time.process_time) is measured around each request, many times; the
median is the figure (the machine is shared: the CPU time is this process's own work, not the time spent waiting
for a core). Each page's ratio to the login page's is compared with its goal.

PAGES is a list of (name, method, url, data, user, goal): append pages to it. url and data may be callables taking
the context (the demo's school and year) and the client; data is called before each request, outside the timed
part (a save posts the form of the page as it is then, with its current version). user None is anonymous.
The results replace the "pages" section of bench/RESULTS.md.

    .venv/bin/python bench/pages.py [--iterations 60] [--only allocation] [--no-record]
"""

import argparse
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from _results import replace_section

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DATABASE = VAR / "bench-pages.sqlite3"
START, END = "<!-- bench/pages.py: start -->", "<!-- bench/pages.py: end -->"
DEMO_UAI = "0211526V"  # Collège Montchapet, the demo school
PRINCIPAL = "principal@demo.rupn.fr"


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    url: str | Callable[[dict], str]
    data: dict | Callable[[dict, Any], dict] | None = None
    user: str | None = PRINCIPAL
    goal: float | None = 4.0  # at most this many times the login page's CPU


class FormReader(HTMLParser):
    """The values a browser would post for the form whose id is form_id (inputs, checked boxes, textareas,
    selected options), plus the button named submit."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, []
        self._textarea, self._select, self._text = None, None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.values.append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea:
            self.values.append((self._textarea, "".join(self._text)))
            self._textarea = None
        elif tag == "select":
            self._select = None


def posted_form(client, url: str, form_id: str, button: str) -> dict:
    """The form of the page at url as a browser would post it with the button named `button`."""
    reader = FormReader(form_id)
    reader.feed(client.get(url).content.decode())
    data: dict[str, list[str]] = {}
    for name, value in reader.values:
        data.setdefault(name, []).append(value)
    data[button] = [""]
    return data


def allocation_url(ctx: dict) -> str:
    return f"/etablissements/{ctx['uai']}/{ctx['year']}/repartition/"


# The ratios this script measured before the work of issue 21 on each page (main at 468707d, 2026-12-04), shown
# beside today's: name -> ratio to the login page.
BEFORE = {"allocation table `…/repartition/`": 20.7, "saving the allocation table (POST)": 13.3}

PAGES: list[Page] = [
    Page("login page `/connexion/` (the floor)", "get", "/connexion/", user=None, goal=None),
    Page("allocation table `…/repartition/`", "get", allocation_url),
    Page(
        "saving the allocation table (POST)",
        "post",
        allocation_url,
        data=lambda ctx, client: posted_form(client, allocation_url(ctx), "allocation-form", "save"),
        goal=6.0,
    ),
]


def setup_django() -> None:
    """Django on a fresh throwaway database each run: saves add history rows, which later saves would read."""
    if not os.environ.get("BENCH_DATABASE_URL"):
        VAR.mkdir(exist_ok=True)
        DATABASE.unlink(missing_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "rupn.settings.base"
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{DATABASE}"
    os.environ["REDIS_URL"] = ""
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare() -> dict:
    from django.conf import settings
    from django.core.management import call_command

    from schools.models import SchoolYear

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    return {"uai": DEMO_UAI, "year": SchoolYear.current().name}


def measure(page: Page, ctx: dict, iterations: int, warmup: int) -> dict:
    from django.test import Client

    from schools.models import User

    client = Client()
    if page.user:
        client.force_login(User.objects.get(email=page.user))
    url = page.url(ctx) if callable(page.url) else page.url
    times, status = [], None
    for index in range(warmup + iterations):
        data = page.data(ctx, client) if callable(page.data) else page.data
        started = time.process_time()
        response = getattr(client, page.method)(url, data) if data is not None else getattr(client, page.method)(url)
        elapsed = time.process_time() - started
        status = response.status_code
        if status >= 400:
            raise SystemExit(f"{page.name}: {url} answered {status}")
        if index >= warmup:
            times.append(elapsed)
    return {"median": statistics.median(times) * 1000, "p90": statistics.quantiles(times, n=10)[-1] * 1000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--only", default="", help="measure only the pages whose name contains this")
    parser.add_argument("--no-record", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    ctx = prepare()
    load_before = os.getloadavg()
    results = []
    for page in PAGES:
        if args.only and args.only not in page.name and page is not PAGES[0]:
            continue
        results.append((page, measure(page, ctx, args.iterations, args.warmup)))
        print(f"{page.name}: {results[-1][1]['median']:.1f} ms CPU per request")
    floor = results[0][1]["median"]
    lines = []
    ok = True
    for page, figures in results:
        ratio = figures["median"] / floor
        verdict = ""
        if page.goal is not None:
            passed = ratio <= page.goal
            ok &= passed
            verdict = f"≤ {page.goal:g}× {'✅' if passed else '❌'}"
        before = f"{BEFORE[page.name]:.1f}×" if page.name in BEFORE else ""
        lines.append(
            f"| {page.name} | {figures['median']:.1f} | {figures['p90']:.1f} | {ratio:.1f}× | {before} | {verdict} |"
        )
    load = " / ".join(" ".join(f"{v:.1f}" for v in loads) for loads in (load_before, os.getloadavg()))
    section = (
        f"{START}\n## Pages: CPU per request (bench/pages.py)\n\n"
        f"Run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average (1, 5, 15 min) {load} before / after; CPython {platform.python_version()}, "
        f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}, "
        f"DEBUG off, demo data (`load_demo`), the principal of Collège Montchapet. Django test client in the "
        f"process, {args.warmup} requests of warm-up, then the median (and 9th decile) CPU time of this process "
        f"over {args.iterations} requests (the database's work is in the process with SQLite).\n\n"
        "| page | CPU ms (median) | CPU ms (p90) | × the login page | before | goal |\n|---|---|---|---|---|---|\n"
        + "\n".join(lines)
        + f"\n\n{'Every ratio is within its goal.' if ok else 'Some ratios are over their goal.'}\n{END}\n"
    )
    print(section)
    if not args.no_record and not args.only:
        replace_section(START, END, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
