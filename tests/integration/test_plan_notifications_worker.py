"""The submission e-mails go through Redis to a real Celery worker, and are sent once."""

import time

from django.core import mail

from missions.models import PlanRow
from missions.plan_emails import notify_plan_submitted
from missions.services import plan_get_or_create, plan_submit
from notifications.models import SentEmail
from tests.factories import PersonFactory


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_worker_sends_each_submission_email_once(celery_worker, cast):
    alice = PersonFactory(school=cast.school_a, last_name="Dupont", first_name="Alice", email="alice@ac-dijon.fr")
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    for code in ["support_teams", "advise_principal", "communicate", "tools.collectivity_link", "tools.ent_admin"]:
        PlanRow.objects.get(plan=plan, mission__code=code).holders.set(
            [alice if code != "communicate" else cast.referent_person]
        )
    mail.outbox = []

    plan = plan_submit(plan=plan, by=cast.principal_a)  # queued on commit, run by the worker

    assert wait_for(lambda: len(mail.outbox) == 2), [m.to for m in mail.outbox]
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@ac-dijon.fr", cast.referent_a.email]
    assert notify_plan_submitted.delay(plan.pk).get(timeout=20) == 0  # running it again sends nothing
    assert len(mail.outbox) == 2
    assert SentEmail.objects.count() == 2
