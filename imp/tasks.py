"""The imp app's background jobs (found by Celery's autodiscovery)."""

from imp.award_emails import notify_award_answer

__all__ = ["notify_award_answer"]
