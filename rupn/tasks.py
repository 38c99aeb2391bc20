"""Background jobs of the project itself."""

from celery import shared_task
from django.conf import settings

from rupn.personal_data import persons_anonymize


@shared_task
def anonymize_persons() -> int:
    """The daily anonymization of staff who left ANONYMIZE_AFTER_YEARS ago (safe to run twice)."""
    return persons_anonymize(years=settings.ANONYMIZE_AFTER_YEARS)
