"""The users of the load test (bench/load/run.py starts locust with this file; not meant to be run alone).

Three kinds of users, each logged in through the login page and posting forms back as a browser would (CSRF
token, every field of the form):
- principals open their allocation table and save it with one row's holder changed, with the page's `version`;
  two users share each principal account, so saves cross: a 409 (someone saved since) is a conflict, counted,
  and the user opens the table again and retries;
- referents open their activity log and add an entry with a unique description;
- the DANE opens the dashboard and the school table.

Every save the server confirmed (302) is written to the journal (LOAD_JOURNAL, JSON lines) for run.py to check
against the database. The accounts come from LOAD_ACCOUNTS (a JSON file written by run.py).
"""

import itertools
import json
import os
import random
import re
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, events, task

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.utils import extract_form_fields, flat  # noqa: E402  (the same form reading as the tests)

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text()) if "LOAD_ACCOUNTS" in os.environ else {}
JOURNAL = os.environ.get("LOAD_JOURNAL", os.devnull)
RUN_ID = os.environ.get("LOAD_RUN_ID", "run")
MAX_RETRIES = 10
CONFLICT = "allocation save: conflict (409), retried"
_journal_lock = threading.Lock()
_counters = {kind: itertools.count() for kind in ("principal", "referent", "dane")}
_stylesheet = re.compile(r'<link[^>]+rel="stylesheet"[^>]+href="(/static/[^"]+)"')


def journal(entry: dict) -> None:
    with _journal_lock, open(JOURNAL, "a", encoding="utf-8") as out:
        out.write(json.dumps(entry) + "\n")


@events.quitting.add_listener
def write_stats(environment, **_kwargs):
    """The final figures, per request name, for run.py (LOAD_STATS, JSON)."""
    if "LOAD_STATS" not in os.environ:
        return
    stats = environment.stats

    def figures(entry) -> dict:
        return {
            "name": entry.name,
            "method": entry.method,
            "count": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.total_rps,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
        }

    report = {
        "requests": [figures(e) for e in sorted(stats.entries.values(), key=lambda e: (e.name, e.method))],
        "total": figures(stats.total),
        "errors": [f"{e.occurrences} × {e.method} {e.name}: {e.error}" for e in stats.errors.values()],
    }
    Path(os.environ["LOAD_STATS"]).write_text(json.dumps(report), encoding="utf-8")


class _Selects(HTMLParser):
    """The options of each <select> and each group of checkboxes of a page, by field name (to choose new holders
    among the school's staff: the allocation table's people are checkboxes)."""

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
        elif tag == "input" and attrs.get("type") == "checkbox" and attrs.get("name") and "disabled" not in attrs:
            self.options.setdefault(attrs["name"], []).append(attrs.get("value", "on"))

    def handle_endtag(self, tag):
        if tag == "select":
            self._name = None


class RupnUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)
    kind = ""

    def on_start(self):
        accounts = ACCOUNTS[self.kind]
        self.number = next(_counters[self.kind])
        self.account = accounts[self.number % len(accounts)]
        self.login(self.account["email"])

    def login(self, email: str) -> None:
        html = self.open_page("/connexion/", "login page")
        if html is None:
            return
        css = _stylesheet.search(html)
        data = flat(extract_form_fields(html[html.rfind("<form", 0, html.index('action="/connexion/"')) :]))
        if css:  # served by whitenoise from gunicorn, as in production
            self.client.get(css.group(1), name="static file")
        data.update(username=email, password=ACCOUNTS["password"])
        with self.client.post(
            "/connexion/", data=data, name="login", allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"login of {email}: {answer.status_code}")

    def open_page(self, url: str, name: str) -> str | None:
        """GET a page; anything but a 200 (a redirect to the login page included) is an error."""
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as page:
            if page.status_code != 200:
                page.failure(f"{name}: {page.status_code}")
                return None
            return page.text


class Principal(RupnUser):
    """Opens the allocation table and saves it with one row's holder changed (crossing with a colleague)."""

    weight = 10
    kind = "principal"

    @task
    def save_a_row(self):
        url = self.account["allocation_url"]
        for _attempt in range(MAX_RETRIES):
            html = self.open_page(url, "allocation table")
            if html is None:
                return
            fields = extract_form_fields(html, "allocation-form")
            selects = _Selects()
            selects.feed(html)
            rows = [
                name
                for name, options in selects.options.items()
                if re.fullmatch(r"row-\d+-holders", name) and options and fields.get(name)
            ]
            if not rows:
                return
            row = random.choice(rows)
            holders = [random.choice(selects.options[row])]
            fields[row] = holders
            version = int(fields["version"][0])
            # Without the form's base the server refuses a stale version instead of merging (README "The allocation
            # table"): each confirmed save then made exactly version + 1, which run.py checks.
            fields.pop("base", None)
            with self.client.post(
                url, data=flat(fields), name="allocation save", allow_redirects=False, catch_response=True
            ) as answer:
                if answer.status_code == 302:
                    journal(
                        {
                            "kind": "plan",
                            "plan": self.account["plan"],
                            "version": version + 1,
                            "row": int(row.split("-")[1]),
                            "holders": sorted(int(h) for h in holders),
                        }
                    )
                    return
                if answer.status_code == 409:  # a colleague saved first: not an error; open the table again
                    answer.request_meta["name"] = CONFLICT
                    answer.success()
                    continue
                answer.failure(f"allocation save: {answer.status_code}")
                return
        journal({"kind": "gave_up", "plan": self.account["plan"]})


class Referent(RupnUser):
    """Opens the activity log and adds an entry."""

    weight = 6
    kind = "referent"
    entries = 0

    @task
    def log_an_activity(self):
        html = self.open_page("/activite/", "activity log")
        if html is None:
            return
        fields = extract_form_fields(html, "activity-form")
        missions = _Selects()
        missions.feed(html)
        self.entries += 1
        description = f"load {RUN_ID} referent {self.number} entry {self.entries}"
        fields.update(
            mission=[random.choice(missions.options["mission"])],
            duration=["30 min"],
            kind=["other"],
            description=[description],
        )
        with self.client.post(
            "/activite/", data=flat(fields), name="activity add", allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code == 302:
                journal({"kind": "activity", "email": self.account["email"], "description": description})
            else:
                answer.failure(f"activity add: {answer.status_code}")


class Dane(RupnUser):
    """Opens the académie's dashboard and its table of schools."""

    weight = 4
    kind = "dane"

    @task(2)
    def dashboard(self):
        self.open_page("/dane/", "DANE dashboard")

    @task(1)
    def schools(self):
        self.open_page("/dane/etablissements/", "DANE school table")
