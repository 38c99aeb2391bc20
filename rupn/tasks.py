"""Background jobs of the shared pieces: batch printing, anonymization. They take primary keys and are safe to
run twice."""

from celery import shared_task
from django.conf import settings

from rupn import printing
from rupn.personal_data import persons_anonymize


@shared_task(acks_late=True)
def print_batch(batch_id: int) -> str:
    """Print every CA sheet of a batch into its ZIP (see rupn.printing); returns the batch's state."""
    return printing.print_batch_run(batch_id)


@shared_task
def print_batches_purge() -> int:
    """Delete the ZIPs whose time is over; returns how many."""
    return printing.print_batches_purge()


@shared_task
def anonymize_persons() -> int:
    """The daily anonymization of staff who left ANONYMIZE_AFTER_YEARS ago (safe to run twice)."""
    return persons_anonymize(years=settings.ANONYMIZE_AFTER_YEARS)
