"""Fault: PostgreSQL restarts while gunicorn serves requests (production settings, persistent connections).

A request while the database is down gets the French 503 page with Retry-After, not a traceback; the first
request after the restart succeeds (CONN_HEALTH_CHECKS replaces the dead persistent connection)."""

import http.client
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.services import PostgresCluster, accepts_connections, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cluster():
    pg = PostgresCluster()
    pg.init()
    try:
        yield pg
    finally:
        pg.destroy()


@pytest.fixture
def gunicorn(cluster, tmp_path):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "rupn.settings.loadtest",
        "DATABASE_URL": cluster.url,
        "CONN_MAX_AGE": "60",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "dummymail://",
        "REDIS_URL": "",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "CRITICAL",
        "LOAD_STATIC_STORAGE": "plain",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity=0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "rupn.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
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
        log.close()


def get_home(port: int) -> http.client.HTTPResponse:
    """GET / with a session cookie: the session and the user are read from the database (then a redirect)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/", headers={"Cookie": "sessionid=nosuchsession"})
    response = connection.getresponse()
    response.body = response.read().decode()
    connection.close()
    return response


def test_requests_during_a_postgresql_restart_get_a_french_503_and_the_next_ones_succeed(cluster, gunicorn):
    assert get_home(gunicorn).status == 302  # the worker now holds a persistent connection

    cluster.stop()
    cluster.start()
    assert get_home(gunicorn).status == 302  # the dead connection is checked and replaced, not used

    cluster.stop()
    down = get_home(gunicorn)
    assert down.status == 503
    assert down.getheader("Retry-After") == "30"
    assert "Service momentanément indisponible" in down.body
    assert "Réessayez dans une minute" in down.body
    assert "Traceback" not in down.body and "OperationalError" not in down.body

    cluster.start()
    assert get_home(gunicorn).status == 302
