"""Background job of the personal data: the anonymization (its Celery name is that of its first module)."""

from celery import shared_task
from django.conf import settings

from portal.personal_data import persons_anonymize


@shared_task(name="rupn.tasks.anonymize_persons")
def anonymize_persons() -> int:
    """The daily anonymization of staff who left ANONYMIZE_AFTER_YEARS ago (safe to run twice)."""
    return persons_anonymize(years=settings.ANONYMIZE_AFTER_YEARS)
