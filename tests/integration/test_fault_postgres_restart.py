"""Fault: the suite's PostgreSQL server restarts while gunicorn serves requests (production settings through
rupn.settings.loadtest, persistent connections). A request while the server is down gets the French 503 page with
Retry-After, not a traceback; the first request after the restart succeeds (CONN_HEALTH_CHECKS replaces the dead
persistent connection). gunicorn serves the test database; the server is running again when the test ends."""

import http.client
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.integration.services import accepts_connections, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def gunicorn(transactional_db, tmp_path):
    database = settings.DATABASES["default"]  # the test database, migrated by pytest-django
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "rupn.settings.loadtest",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CONN_MAX_AGE": "60",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "dummymail://",
        "OPENBADGES_ISSUER_EMAIL": "dane@ac-dijon.fr",  # production settings require it
        "REDIS_URL": "",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "CRITICAL",
        "LOAD_STATIC_STORAGE": "plain",
    }
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "rupn.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "1"]
    with open(tmp_path / "gunicorn.log", "w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            assert wait_for(lambda: accepts_connections(port) or server.poll() is not None, timeout=120)
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def get_home(port: int) -> http.client.HTTPResponse:
    """GET / with a session cookie: the session and the user are read from the database (then a redirect)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/", headers={"Cookie": "sessionid=nosuchsession"})
    response = connection.getresponse()
    response.body = response.read().decode()
    connection.close()
    return response


def test_requests_during_a_postgresql_restart_get_a_french_503_and_the_next_ones_succeed(shared_postgres, gunicorn):
    assert get_home(gunicorn).status == 302  # the worker now holds a persistent connection

    shared_postgres.stop()
    shared_postgres.start()
    assert get_home(gunicorn).status == 302  # the dead connection is checked and replaced, not used

    shared_postgres.stop()
    down = get_home(gunicorn)
    assert down.status == 503
    assert down.getheader("Retry-After") == "30"
    assert "Service momentanément indisponible" in down.body
    assert "Réessayez dans une minute" in down.body
    assert "Traceback" not in down.body and "OperationalError" not in down.body

    shared_postgres.start()
    assert get_home(gunicorn).status == 302
