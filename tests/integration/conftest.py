"""Integration tests: a real Celery worker, in a thread of the pytest process, consuming from the test Redis.

Every test in this folder is marked ``worker``. ``make test`` exports REDIS_URL before pytest starts, so the
Django settings (CELERY_BROKER_URL / CELERY_RESULT_BACKEND) point Celery at the throwaway Redis before the app
is first used. The worker thread opens its own database connection: tests must use ``transactional_db`` so it
sees what the test committed (and the test sees what the task committed)::

    def test_export(celery_worker, transactional_db):
        result = some_task.delay(42)
        assert result.get(timeout=30) == ...
"""

import logging
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from rupn.celery import app as celery_app

# Celery 5.7's Redis result backend still calls redis-py 8's deprecated setex(). Under filterwarnings=error the
# warning kills the worker thread (warning filters are process-wide) and the test times out: ignore it here only.
REDIS_SETEX_WARNING = "ignore:Call to deprecated setex:DeprecationWarning"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.worker)
            item.add_marker(pytest.mark.filterwarnings(REDIS_SETEX_WARNING))


@pytest.fixture
def celery_worker(transactional_db):
    """Start a real worker (solo pool, one thread) for the test, stop it afterwards; yield the Celery app."""
    if not settings.REDIS_URL or not celery_app.conf.broker_url.startswith("redis://"):
        pytest.fail(
            "A real Celery worker needs Redis: run the tests with `make test` (it starts one), "
            "or export REDIS_URL=redis://host:port/0 before starting pytest.",
            pytrace=False,
        )
    # start_worker() sets up Celery's logging: the root logger's level drops to WORKER_LOGLEVEL (error) and its
    # handlers are replaced. Put them back afterwards so later tests (caplog, Django's LOGGING) see no difference.
    root = logging.getLogger()
    root_level, root_handlers = root.level, root.handlers[:]
    previous_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
            yield celery_app
    finally:
        celery_app.conf.task_always_eager = previous_eager
        root.setLevel(root_level)
        root.handlers[:] = root_handlers
