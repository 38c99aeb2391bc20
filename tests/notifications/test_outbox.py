"""The outbox: a job is written with the change that needs it, and only a committed change queues it."""

import datetime

import pytest
from django.db import transaction

from missions.plan_emails import notify_plan_submitted
from notifications.models import Outbox
from notifications.outbox import outbox_drain, outbox_enqueue

pytestmark = pytest.mark.django_db


@transaction.atomic
def change_that_fails() -> None:
    outbox_enqueue(notify_plan_submitted, 0)
    raise RuntimeError


def test_a_rolled_back_change_leaves_no_job_and_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        change_that_fails()
    assert callbacks == [] and not Outbox.objects.exists()


def test_a_committed_job_is_sent_and_marked_so_the_drain_does_not_send_it_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox_enqueue(notify_plan_submitted, 0)
    row.refresh_from_db()
    assert row.dispatched_at is not None
    assert outbox_drain(grace=datetime.timedelta(0)) == 0
