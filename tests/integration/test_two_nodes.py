"""Two web nodes behind one load balancer (README "Production"): two gunicorn processes on two loopback ports, run
with the production settings over HTTP (rupn.settings.loadtest), against the test PostgreSQL database and Redis.

What a user does on one node must hold on the other: the session (stored in PostgreSQL), the cache (Redis), a print
batch asked on node 1, produced by the Celery worker (the folder's worker, in this process) into the shared
MEDIA_ROOT and downloaded from node 2, and two principals saving the same plan through different nodes (the signed
base of the three-way merge needs the same SECRET_KEY on every node).
"""

import io
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection

from documents.models import PrintBatch
from missions.models import AllocationPlan, PlanRow
from missions.services import plan_get_or_create
from schools.models import Role
from tests.factories import PersonFactory, RoleFactory, UserFactory
from tests.utils import extract_form_fields, flat

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "deux-noeuds-un-mot-de-passe"
pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="two nodes share one PostgreSQL database (make test gives one)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def node_environment(media_root: Path) -> dict[str, str]:
    """What every node is given: the same database, Redis, media folder and SECRET_KEY."""
    db = connection.settings_dict  # the test database (test_…), where this test's data is committed
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "rupn.settings.loadtest",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media_root),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "dummymail://",
        "OPENBADGES_ISSUER_EMAIL": "dane@ac-dijon.fr",  # production settings require it
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "CONN_MAX_AGE": "0",  # nothing left connected while the test flushes the database
        "LOAD_STATIC_STORAGE": "finders",  # no collectstatic: this test measures nothing
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"a node stopped at start:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(url, timeout=30, allow_redirects=False).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.3)
    pytest.fail(f"no answer from {url} after {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def two_nodes(django_db_setup, tmp_path_factory):
    """Two gunicorn nodes for the module (they take seconds to start); their base URLs, environment, media."""
    tmp_path = tmp_path_factory.mktemp("two-nodes")
    media = tmp_path / "media"
    media.mkdir()
    env = node_environment(media)
    processes, logs, urls = [], [], []
    try:
        for number in (1, 2):
            port = free_port()
            log = tmp_path / f"node{number}.log"
            logs.append(log)
            with open(log, "w") as output:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "gunicorn", "rupn.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "1"],
                        cwd=ROOT,
                        env=env,
                        stdout=output,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
            urls.append(f"http://127.0.0.1:{port}")
        for url, process, log in zip(urls, processes, logs, strict=True):
            wait_until_up(f"{url}/connexion/", process, log)
        yield {"urls": urls, "env": env, "media": media}
        errors = [line for log in logs for line in log.read_text(errors="replace").splitlines() if "Traceback" in line]
        assert not errors, "\n".join(log.read_text(errors="replace")[-3000:] for log in logs)
    finally:
        for process in processes:
            stop(process)


@pytest.fixture
def nodes(two_nodes, transactional_db, settings):
    """The two nodes, for a test whose data they see (committed); the worker writes to their MEDIA_ROOT."""
    settings.MEDIA_ROOT = two_nodes["media"]  # the worker of this folder runs in this process
    return two_nodes


def account(user) -> str:
    """Give the user a password the nodes can check (production's hashers; the tests' MD5 is not among them)."""
    hasher = Argon2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    return user.email


def login(browser: requests.Session, node: str, email: str) -> None:
    page = browser.get(f"{node}/connexion/", timeout=30)
    form = extract_form_fields(page.text[page.text.rfind("<form", 0, page.text.index('action="/connexion/"')) :])
    answer = browser.post(
        f"{node}/connexion/",
        data=flat(form) | {"username": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[-2000:]


def test_a_session_opened_on_node_1_works_on_node_2_and_logging_out_there_ends_it(nodes, cast):
    node1, node2 = nodes["urls"]
    browser = requests.Session()  # one cookie jar for both ports, as behind one load balancer's address
    login(browser, node1, account(cast.principal_a))

    school_page = f"/etablissements/{cast.school_a.uai}/"
    answer = browser.get(f"{node2}{school_page}", allow_redirects=False, timeout=30)
    assert answer.status_code == 200 and cast.school_a.name in answer.text

    logout_form = extract_form_fields(answer.text[answer.text.rfind("<form", 0, answer.text.index("/deconnexion/")) :])
    assert browser.post(f"{node2}/deconnexion/", data=flat(logout_form), allow_redirects=False).status_code == 302
    assert browser.get(f"{node1}{school_page}", allow_redirects=False, timeout=30).status_code == 302  # to login


def test_a_value_cached_by_one_node_is_read_by_the_other(nodes):
    def manage(code: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
            cwd=ROOT,
            env=nodes["env"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout.strip()

    key = f"two-nodes-{secrets.token_hex(4)}"
    manage(f"from django.core.cache import cache; cache.set({key!r}, 'vu par le premier nœud', 60)")
    assert manage(f"from django.core.cache import cache; print(cache.get({key!r}))") == "vu par le premier nœud"


def test_a_print_batch_asked_on_node_1_is_made_by_the_worker_and_downloaded_from_node_2(nodes, cast, celery_worker):
    node1, node2 = nodes["urls"]
    plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    plan_get_or_create(school=cast.school_b, school_year=cast.school_year)
    browser = requests.Session()
    login(browser, node1, account(cast.dane))

    form = extract_form_fields(browser.get(f"{node1}/impressions/", timeout=30).text, "print-batch-form")
    form.update(scope=[f"a{cast.dijon.pk}"], school_year=[str(cast.school_year.pk)])
    asked = browser.post(f"{node1}/impressions/", data=flat(form), allow_redirects=False, timeout=30)
    assert asked.status_code == 302, asked.text[-2000:]
    batch = PrintBatch.objects.get(requested_by=cast.dane)
    assert asked.headers["Location"] == f"/impressions/{batch.pk}/"

    deadline = time.monotonic() + 120
    while (state := browser.get(f"{node2}/impressions/{batch.pk}/etat.json", timeout=30).json())["state"] != "done":
        assert time.monotonic() < deadline, state
        time.sleep(0.5)
    download = browser.get(f"{node2}{state['download_url']}", timeout=60)
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert sorted(archive.namelist()) == sorted(f"{s.uai}.pdf" for s in (cast.school_a, cast.school_b))


def test_two_principals_saving_the_same_plan_through_two_nodes_keep_both_changes(nodes, cast):
    node1, node2 = nodes["urls"]
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    alice = PersonFactory(school=cast.school_a, last_name="Dupont", first_name="Alice")
    deputy = UserFactory(email="adjoint.a@ac-dijon.fr", first_name="Paul", last_name="Adjoint")
    RoleFactory(user=deputy, kind=Role.Kind.PRINCIPAL, school=cast.school_a)
    first, second = requests.Session(), requests.Session()
    login(first, node1, account(cast.principal_a))
    login(second, node2, account(deputy))
    url = f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/repartition/"
    first_form = extract_form_fields(first.get(f"{node1}{url}", timeout=30).text, "allocation-form")
    second_form = extract_form_fields(second.get(f"{node2}{url}", timeout=30).text, "allocation-form")
    link = PlanRow.objects.get(plan=plan, mission__code="tools.collectivity_link")
    support = PlanRow.objects.get(plan=plan, mission__code="support_teams")

    first_form |= {f"row-{link.pk}-holders": [str(alice.pk)], f"row-{link.pk}-organisation": ["Par le nœud 1"]}
    first_form["save"] = [""]
    assert first.post(f"{node1}{url}", data=flat(first_form), allow_redirects=False).status_code == 302
    second_form |= {f"row-{support.pk}-holders": [str(cast.referent_person.pk)]}
    second_form[f"row-{support.pk}-organisation"] = ["Par le nœud 2"]
    second_form["save"] = [""]
    merged = second.post(f"{node2}{url}", data=flat(second_form), allow_redirects=False)
    assert merged.status_code == 302, merged.text[-3000:]

    link.refresh_from_db()
    support.refresh_from_db()
    assert (link.organisation, [p.pk for p in link.holders.all()]) == ("Par le nœud 1", [alice.pk])
    assert (support.organisation, [p.pk for p in support.holders.all()]) == (
        "Par le nœud 2",
        [cast.referent_person.pk],
    )
    assert AllocationPlan.objects.get(pk=plan.pk).version == plan.version + 2
