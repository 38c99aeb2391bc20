"""The reaper of print batches: a running batch whose worker died (no progress for a while) is queued again."""

import datetime

import pytest
from django.utils import timezone

from documents.models import PrintBatch
from documents.printing import print_batches_reap
from documents.tasks import print_batch
from notifications.models import Outbox

pytestmark = pytest.mark.django_db


def batch(cast, state: str, silent_for: datetime.timedelta) -> PrintBatch:
    created = PrintBatch.objects.create(
        requested_by=cast.dane, academie=cast.dijon, school_year=cast.school_year, total=3
    )
    PrintBatch.objects.filter(pk=created.pk).update(
        state=state, run_token="a" * 32, done=1, updated_at=timezone.now() - silent_for
    )
    return created


def test_a_running_batch_silent_for_longer_than_the_setting_is_queued_again_and_loses_its_run(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.PRINT_BATCH_STALLED_SECONDS = 300
    stalled = batch(cast, "running", datetime.timedelta(minutes=6))

    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert print_batches_reap() == 1

    stalled.refresh_from_db()
    assert (stalled.state, stalled.run_token) == ("queued", "")  # the dead run's token no longer owns it
    assert len(queued) == 1
    job = Outbox.objects.get()
    assert (job.task, job.args) == (print_batch.name, [stalled.pk])


def test_a_batch_that_moves_a_queued_one_and_a_finished_one_are_left_alone(cast, django_capture_on_commit_callbacks):
    moving = batch(cast, "running", datetime.timedelta(seconds=30))
    waiting = PrintBatch.objects.create(
        requested_by=cast.principal_a, academie=cast.dijon, school_year=cast.school_year, total=3
    )
    PrintBatch.objects.filter(pk=waiting.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    finished = PrintBatch.objects.create(
        requested_by=cast.rectorat, academie=cast.dijon, school_year=cast.school_year, total=3, state="done"
    )
    PrintBatch.objects.filter(pk=finished.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert print_batches_reap() == 0

    assert queued == [] and not Outbox.objects.exists()
    moving.refresh_from_db()
    assert (moving.state, moving.run_token) == ("running", "a" * 32)
