"""Background jobs of the missions app: they take primary keys and are safe to run twice."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from missions import reminders
from missions.models import AllocationPlan
from missions.notifications import email_send_once
from rupn.lib.errors import DomainError
from schools.models import School, SchoolYear

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_plan_submitted(plan_id: int) -> int:
    """Tell each person named in a submitted plan what they hold; returns the e-mails sent."""
    plan = (
        AllocationPlan.objects.select_related("school", "school_year", "submitted_by")
        .prefetch_related("rows__mission", "rows__holders")
        .filter(pk=plan_id, state=AllocationPlan.State.SUBMITTED)
        .first()
    )
    if plan is None:
        return 0
    missions_by_person: dict = {}
    for row in sorted(plan.rows.all(), key=lambda r: (r.mission.position, r.service_name)):
        label = f"{row.mission.label} — {row.service_name}" if row.service_name else row.mission.label
        for person in row.holders.all():
            missions_by_person.setdefault(person, []).append(label)
    sent = 0
    for person, labels in sorted(missions_by_person.items(), key=lambda item: item[0].pk):
        if not person.email:
            continue
        sent += email_send_once(
            key=f"plan-submitted:{plan.pk}:{plan.submitted_at.isoformat()}:{person.pk}",
            to=person.email,
            template="plan_submitted",
            context={"plan": plan, "person": person, "missions": labels},
        )
    return sent


def _day(day: str | None) -> datetime.date:
    return datetime.date.fromisoformat(day) if day else timezone.localdate()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def reminders_daily(day: str | None = None) -> int:
    """Beat job: queue one send_reminder per (kind, object) with an e-mail due and not yet sent; returns how many."""
    today = _day(day)
    batches = sorted({(kind.code, out.object_id) for kind, out in reminders.pending(today)})
    for code, object_id in batches:
        send_reminder.delay_on_commit(code, object_id, today.isoformat())
    logger.info("%d reminder task(s) queued for %s", len(batches), today.isoformat())
    return len(batches)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=900, max_retries=6)
def send_reminder(kind: str, object_id: int, day: str) -> int:
    """Send the reminders of this kind about this object due on that day; each e-mail goes once (claimed first)."""
    if kind not in reminders.KINDS:
        logger.warning("Unknown kind of reminder %r: nothing sent", kind)
        return 0
    return reminders.send_for_object(kind, _day(day), object_id)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def rentree_rollover(day: str | None = None) -> int:
    """Beat job from 1 September: queue the copy of last year's plan for each school without a plan this year."""
    from missions.selectors import plan_rollover_candidates

    year = SchoolYear.current(_day(day))
    school_ids = list(plan_rollover_candidates(year).values_list("pk", flat=True))
    for school_id in school_ids:
        rollover_school.delay_on_commit(school_id, year.pk)
    logger.info("%d rentrée rollover(s) queued for %s", len(school_ids), year.name)
    return len(school_ids)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def rollover_school(school_id: int, school_year_id: int) -> bool:
    """Create the school's draft for the year from its last plan; nothing when it has one already."""
    from missions.services import plan_rollover

    school = School.objects.filter(pk=school_id).first()
    year = SchoolYear.objects.filter(pk=school_year_id).first()
    if school is None or year is None or AllocationPlan.objects.filter(school=school, school_year=year).exists():
        return False
    try:
        plan_rollover(school=school, school_year=year)
    except DomainError:  # another run created it meanwhile, or nothing to copy
        return False
    return True
