"""Background jobs of the missions app: they take primary keys and are safe to run twice."""

import logging

from celery import shared_task

from missions.models import AllocationPlan
from missions.plan_emails import notify_plan_submitted
from missions.selectors import plan_rollover_candidates
from missions.services import plan_rollover
from notifications.tasks import day_or_today
from rupn.lib.errors import DomainError
from schools.models import School, SchoolYear

__all__ = ["notify_plan_submitted", "rentree_rollover", "rollover_school"]  # notify_plan_submitted: see plan_emails

logger = logging.getLogger(__name__)


@shared_task(
    name="missions.tasks.rentree_rollover", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3
)
def rentree_rollover(day: str | None = None) -> int:
    """Beat job from 1 September: queue the copy of last year's plan for each school without a plan this year."""
    year = SchoolYear.current(day_or_today(day))
    school_ids = list(plan_rollover_candidates(year).values_list("pk", flat=True))
    for school_id in school_ids:
        rollover_school.delay_on_commit(school_id, year.pk)
    logger.info("%d rentrée rollover(s) queued for %s", len(school_ids), year.name)
    return len(school_ids)


@shared_task(
    name="missions.tasks.rollover_school", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3
)
def rollover_school(school_id: int, school_year_id: int) -> bool:
    """Create the school's draft for the year from its last plan; nothing when it has one already."""
    school = School.objects.filter(pk=school_id).first()
    year = SchoolYear.objects.filter(pk=school_year_id).first()
    if school is None or year is None or AllocationPlan.objects.filter(school=school, school_year=year).exists():
        return False
    try:
        plan_rollover(school=school, school_year=year)
    except DomainError:  # another run created it meanwhile, or nothing to copy
        return False
    return True
