"""Background jobs of the documents: batch printing (the job itself is printing.print_batch), the purge of old
ZIPs. They take primary keys and are safe to run twice; their Celery names are those of their first module."""

import datetime

from celery import shared_task

from documents import printing
from documents.printing import print_batch

__all__ = ["print_batch", "print_batches_purge", "print_batches_reap"]


@shared_task(name="rupn.tasks.print_batches_purge")
def print_batches_purge() -> int:
    """Delete the ZIPs whose time is over; returns how many."""
    return printing.print_batches_purge()


@shared_task(name="rupn.tasks.print_batches_reap")
def print_batches_reap(stalled_seconds: float | None = None) -> int:
    """Beat job (every minute): queue again the batches whose worker died mid-way; returns how many."""
    if stalled_seconds is None:
        return printing.print_batches_reap()
    return printing.print_batches_reap(stalled_after=datetime.timedelta(seconds=stalled_seconds))
