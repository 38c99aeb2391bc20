"""Background jobs of the documents: batch printing (the job itself is printing.print_batch), the purge of old
ZIPs. They take primary keys and are safe to run twice; their Celery names are those of their first module."""

from celery import shared_task

from documents import printing
from documents.printing import print_batch

__all__ = ["print_batch", "print_batches_purge"]


@shared_task(name="rupn.tasks.print_batches_purge")
def print_batches_purge() -> int:
    """Delete the ZIPs whose time is over; returns how many."""
    return printing.print_batches_purge()
