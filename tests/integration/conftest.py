"""Integration tests: a real Celery worker, in a thread of the pytest process, consuming from the test Redis.

Every test in this folder is marked ``worker``. ``make test`` exports REDIS_URL before pytest starts, so the
Django settings (CELERY_BROKER_URL / CELERY_RESULT_BACKEND) point Celery at the throwaway Redis before the app
is first used. The worker thread opens its own database connection: tests must use ``transactional_db`` so it
sees what the test committed (and the test sees what the task committed)::

    def test_export(celery_worker, transactional_db):
        result = some_task.delay(42)
        assert result.get(timeout=30) == ...
"""

from pathlib import Path

import pytest
from django.conf import settings

from rupn.celery import app as celery_app
from tests.integration.services import SharedPostgres, SharedRedis, running_worker

# Celery 5.7's Redis result backend still calls redis-py 8's deprecated setex(). Under filterwarnings=error the
# warning kills the worker thread (warning filters are process-wide) and the test times out: ignore it here only.
REDIS_SETEX_WARNING = "ignore:Call to deprecated setex:DeprecationWarning"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.worker)
            item.add_marker(pytest.mark.filterwarnings(REDIS_SETEX_WARNING))


def require_redis() -> None:
    if not settings.REDIS_URL or not celery_app.conf.broker_url.startswith("redis://"):
        pytest.fail(
            "A real Celery worker needs Redis: run the tests with `make test` (it starts one), "
            "or export REDIS_URL=redis://host:port/0 before starting pytest.",
            pytrace=False,
        )


@pytest.fixture
def celery_worker(transactional_db):
    """Start a real worker (solo pool, one thread) for the test, stop it afterwards; yield the Celery app."""
    require_redis()
    with running_worker() as app:
        yield app


@pytest.fixture
def shared_redis():
    """The suite's Redis, for a fault test that stops it: running again, with its data, when the test ends."""
    require_redis()
    server = SharedRedis(settings.REDIS_URL)
    try:
        yield server
    finally:
        if not server.is_up():
            server.start()


@pytest.fixture
def shared_postgres():
    """The suite's PostgreSQL server, for a fault test that stops it: running again when the test ends."""
    server = SharedPostgres()
    try:
        yield server
    finally:
        if not server.is_up():
            server.start()
