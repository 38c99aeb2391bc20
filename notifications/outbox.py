"""Jobs queued with the change that needs them, and never lost when the broker is down.

outbox_enqueue() writes an Outbox row in the caller's transaction; once it commits, the job is sent to the broker
and the row marked dispatched. If the broker does not answer, the request still succeeds (the change is saved):
the row stays pending and outbox_drain() (beat, every minute, and after the next job that does reach the broker)
sends it. A job may thus run twice (sent, then the mark lost): every job queued here is safe to run twice.
"""

import datetime
import logging

from celery import current_app
from django.db import transaction
from django.utils import timezone

from notifications.models import Outbox

logger = logging.getLogger(__name__)

# A pending row younger than this is left to its own on-commit dispatch (which may still be running).
DRAIN_GRACE = datetime.timedelta(seconds=10)
KEEP_DISPATCHED = datetime.timedelta(days=7)
DRAIN_TASK = "notifications.tasks.outbox_drain"


def _send(task_name: str, args: list) -> bool:
    """Queue the job; False (logged) when the broker does not answer. Eager mode (make run) runs it here.

    Once, on a connection of its own that tries to connect once (the outbox is the retry; the pooled connections
    would try for broker_connection_timeout, and the request would wait), and without a result (asking for one
    makes the result backend subscribe on the same Redis, which retries for 20 s when Redis is away)."""
    app = current_app
    if task_name not in app.tasks:  # a process that never imported the apps' tasks modules (a command, a script)
        app.loader.import_default_modules()
    task = app.tasks[task_name]
    if app.conf.task_always_eager:
        task.apply_async(args=args)
        return True
    options = {**(app.conf.broker_transport_options or {}), "max_retries": 0}
    try:
        with app.connection_for_write(transport_options=options) as connection:
            task.apply_async(args=args, retry=False, ignore_result=True, connection=connection)
    except Exception:  # kombu's OperationalError, redis' ConnectionError, OSError: the broker is away
        logger.warning("Broker unavailable: %s%s stays in the outbox", task_name, tuple(args), exc_info=True)
        return False
    return True


def _pending(now: datetime.datetime):
    return Outbox.objects.filter(dispatched_at__isnull=True, created__lte=now - DRAIN_GRACE)


def _dispatch(pk: int, task_name: str, args: list) -> None:
    if not _send(task_name, args):
        return
    Outbox.objects.filter(pk=pk, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    if current_app.conf.task_always_eager or task_name == DRAIN_TASK:
        return  # in-process jobs never wait in the outbox
    if _pending(timezone.now()).exists():  # the broker is back: send what waited
        _send(DRAIN_TASK, [])


def outbox_enqueue(task, *args) -> Outbox:
    """Queue task(*args) when the current transaction commits (at once outside one); args are JSON values."""
    row = Outbox.objects.create(task=task.name, args=list(args))
    transaction.on_commit(lambda: _dispatch(row.pk, row.task, row.args))
    return row


def outbox_drain(*, grace: datetime.timedelta = DRAIN_GRACE, limit: int = 500) -> int:
    """Send the pending jobs, oldest first, until the broker stops answering; returns how many went."""
    now = timezone.now()
    sent: list[int] = []
    with transaction.atomic():
        rows = (
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(dispatched_at__isnull=True, created__lte=now - grace)
            .order_by("created", "pk")[:limit]
        )
        for row in rows:
            if not _send(row.task, row.args):
                break
            sent.append(row.pk)
        Outbox.objects.filter(pk__in=sent).update(dispatched_at=timezone.now())
    Outbox.objects.filter(dispatched_at__lt=now - KEEP_DISPATCHED).delete()
    if sent:
        logger.info("%d job(s) sent from the outbox", len(sent))
    return len(sent)
