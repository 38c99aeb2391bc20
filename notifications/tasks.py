"""Background jobs of the reminders: they take primary keys and are safe to run twice. Their Celery names are
those of their first module (missions.tasks), which the beat schedule and queued messages use."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from notifications import outbox, reminders

logger = logging.getLogger(__name__)


def day_or_today(day: str | None) -> datetime.date:
    return datetime.date.fromisoformat(day) if day else timezone.localdate()


@shared_task(
    name="missions.tasks.reminders_daily", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3
)
def reminders_daily(day: str | None = None) -> int:
    """Beat job: queue one send_reminder per (kind, object) with an e-mail due and not yet sent; returns how many."""
    today = day_or_today(day)
    batches = sorted({(kind.code, out.object_id) for kind, out in reminders.pending(today)})
    for code, object_id in batches:
        send_reminder.delay_on_commit(code, object_id, today.isoformat())
    logger.info("%d reminder task(s) queued for %s", len(batches), today.isoformat())
    return len(batches)


@shared_task(
    name="missions.tasks.send_reminder",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=900,
    max_retries=6,
)
def send_reminder(kind: str, object_id: int, day: str) -> int:
    """Send the reminders of this kind about this object due on that day; each e-mail goes once (claimed first)."""
    if kind not in reminders.KINDS:
        logger.warning("Unknown kind of reminder %r: nothing sent", kind)
        return 0
    return reminders.send_for_object(kind, day_or_today(day), object_id)


@shared_task(name="notifications.tasks.outbox_drain")
def outbox_drain(grace_seconds: float | None = None) -> int:
    """Beat job (every minute): send the jobs that stayed in the outbox while the broker was away."""
    if grace_seconds is None:
        return outbox.outbox_drain()
    return outbox.outbox_drain(grace=datetime.timedelta(seconds=grace_seconds))
