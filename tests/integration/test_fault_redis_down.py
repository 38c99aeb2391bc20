"""Fault: Redis is stopped while a principal submits a plan. The plan is saved, the page says so, and the e-mails
wait in the outbox (written in the submission's transaction); once Redis is back the outbox drain queues them
and the worker sends each exactly once. The suite's own Redis is stopped, then started again with its data."""

import datetime
import html

from django.core import mail
from django.urls import reverse

from missions.models import AllocationPlan, PlanRow
from missions.plan_emails import notify_plan_submitted
from missions.services import plan_get_or_create
from notifications.models import Outbox, SentEmail
from notifications.outbox import outbox_enqueue
from notifications.tasks import outbox_drain
from tests.factories import PersonFactory
from tests.integration.services import jobs_queued_for_real, running_worker, wait_for
from tests.utils import extract_form_fields, flat

BLOCKING_CODES = ["support_teams", "advise_principal", "communicate", "tools.collectivity_link", "tools.ent_admin"]


def test_a_plan_submitted_while_redis_is_down_is_saved_and_its_emails_go_once_redis_is_back(
    shared_redis, transactional_db, client_for, cast
):
    alice = PersonFactory(school=cast.school_a, last_name="Dupont", first_name="Alice", email="alice@ac-dijon.fr")
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    client = client_for(cast.principal_a)
    url = reverse("missions:allocation", args=[cast.school_a.uai, cast.school_year.name])
    data = extract_form_fields(client.get(url).content, "allocation-form")
    for code in BLOCKING_CODES:
        row = PlanRow.objects.get(plan=plan, mission__code=code, service_name="")
        data[f"row-{row.pk}-holders"] = [str((alice if code != "communicate" else cast.referent_person).pk)]
    data["submit"] = [""]
    mail.outbox = []

    with jobs_queued_for_real():
        shared_redis.stop()
        response = client.post(url, flat(data), follow=True)

        assert response.status_code == 200
        assert "Le plan a été soumis au conseil d'administration." in html.unescape(response.content.decode())
        plan.refresh_from_db()
        assert plan.state == AllocationPlan.State.SUBMITTED
        pending = Outbox.objects.get(dispatched_at__isnull=True)
        assert (pending.task, pending.args) == (notify_plan_submitted.name, [plan.pk])
        assert outbox_drain(grace_seconds=0) == 0  # the beat job while Redis is still down: the row stays
        assert Outbox.objects.filter(dispatched_at__isnull=True).count() == 1
        assert mail.outbox == []

        shared_redis.start()
        with running_worker():
            assert outbox_drain(grace_seconds=0) == 1  # the beat job once Redis answers
            assert wait_for(lambda: len(mail.outbox) == 2, timeout=60), [m.to for m in mail.outbox]
            assert outbox_drain(grace_seconds=0) == 0  # nothing left to send
            assert notify_plan_submitted.delay(plan.pk).get(timeout=60) == 0  # a second run sends nothing
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@ac-dijon.fr", cast.referent_a.email]
    assert SentEmail.objects.count() == 2
    assert not Outbox.objects.filter(dispatched_at__isnull=True).exists()


def test_a_job_queued_while_the_broker_answers_is_sent_at_once_and_kicks_the_waiting_ones(
    celery_worker, transactional_db, cast
):
    """The on-commit dispatch marks its row sent, and queues the drain when older rows are still waiting."""
    waiting = Outbox.objects.create(task=notify_plan_submitted.name, args=[0])
    Outbox.objects.filter(pk=waiting.pk).update(created=waiting.created - datetime.timedelta(minutes=5))

    row = outbox_enqueue(notify_plan_submitted, 0)  # outside a transaction: dispatched at once

    row.refresh_from_db()
    assert row.dispatched_at is not None
    assert wait_for(lambda: not Outbox.objects.filter(dispatched_at__isnull=True).exists(), timeout=60)
