"""The load test's driver (bench/load/run.py, `make load`) in small: 4 users (5 wrk threads, every kind of user)
for 15 s, so that it cannot rot.

It runs against its own database, created on the test PostgreSQL server and dropped afterwards, with the same
gunicorn, wrk users and "no lost write" check as `make load`; bench/RESULTS.md is left alone. It takes about
40 s on an idle 2-core machine (migrations and demo data ~20 s, gunicorn's start, 15 s of load, the users
finishing their last save); 75 s when other work shares the machine.
"""

import importlib.util
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings

from missions.models import AllocationPlan
from missions.services import plan_get_or_create
from tests.factories import ActivityEntryFactory, PersonFactory

ROOT = Path(__file__).resolve().parent.parent

needs_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    or not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="the load test needs PostgreSQL (make test gives one)",
)


@pytest.fixture
def empty_database():
    """A new database on the test server (DATABASE_URL), its URL given, dropped afterwards."""
    server = urlsplit(os.environ["DATABASE_URL"])
    name = f"rupn_load_smoke_{secrets.token_hex(4)}"
    admin_url = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(server._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@needs_postgresql
def test_load_driver_saves_under_load_and_loses_no_write(empty_database):
    result = subprocess.run(
        [sys.executable, "bench/load/run.py", "--users", "4", "--duration", "15"]
        + ["--no-results", "--static-storage", "manifest"],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": empty_database},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    figures = re.search(
        r"(\d+) requests, (\d+) errors, (\d+) plan saves and (\d+) activity entries confirmed, lost writes: (\d+)",
        output,
    )
    assert figures, output[-5000:]
    requests, errors, plan_saves, activities, lost = map(int, figures.groups())
    assert errors == 0 and lost == 0
    assert requests > 0 and plan_saves + activities > 0, output[-5000:]  # writes were made, and checked


def load_driver():
    spec = importlib.util.spec_from_file_location("load_driver", ROOT / "bench" / "load" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_the_lost_write_check_finds_a_confirmed_save_missing_from_the_database(cast, tmp_path):
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    row = plan.rows.order_by("pk").first()
    person = PersonFactory(school=cast.school_a)
    accounts = {"principal": [{"plan": plan.pk, "version": plan.version}]}
    journal = tmp_path / "journal.jsonl"
    confirmed = [
        {"kind": "plan", "plan": plan.pk, "version": plan.version + 1, "row": row.pk, "holders": [person.pk]},
        {"kind": "activity", "email": "r@example.fr", "description": "load test entry 1"},
    ]
    journal.write_text("".join(json.dumps(entry) + "\n" for entry in confirmed))
    verify = load_driver().verify

    problems = verify(accounts, journal)["problems"]
    assert len(problems) == 3, problems  # the plan's version, the row's holders, the activity entry

    AllocationPlan.objects.filter(pk=plan.pk).update(version=plan.version + 1)
    row.holders.set([person])
    ActivityEntryFactory(person=person, description="load test entry 1")
    assert verify(accounts, journal)["problems"] == []
