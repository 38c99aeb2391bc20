"""The e-mail to the people named in a submitted plan (queued by missions.services.plan_submit, so it lives
apart from missions.tasks, which imports the services)."""

from celery import shared_task

from missions.models import AllocationPlan
from notifications.emails import email_send_once


@shared_task(
    name="missions.tasks.notify_plan_submitted",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
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
