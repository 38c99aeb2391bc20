"""Fault: the Celery worker is killed (SIGKILL) in the middle of a print batch. After a new worker starts, the
reaper (beat job rupn.tasks.print_batches_reap) queues the silent batch again, it starts over, and the ZIP holds
every school once. The workers are processes of their own (a thread cannot be killed), on the suite's Redis and
test database; what the killed one left in Redis (its unacknowledged message) is taken away at the end."""

import io
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from documents.models import PrintBatch
from documents.printing import print_batch_start
from documents.tasks import print_batches_reap
from missions.services import plan_get_or_create
from tests.factories import SchoolFactory
from tests.integration.services import jobs_queued_for_real, wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_processes(transactional_db, settings, tmp_path, shared_redis):
    """start() runs a worker process (solo pool) on the test database and Redis; all are stopped at the end, and
    Redis gets back the keys, set members and hash fields it had before."""
    settings.MEDIA_ROOT = tmp_path / "media"
    database = settings.DATABASES["default"]
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "rupn.settings.base",  # jobs queued by the worker go through Redis too
        "EMAIL_URL": "dummymail://",
        "OPENBADGES_ISSUER_EMAIL": "dane@ac-dijon.fr",  # production settings require it
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PYTHONWARNINGS": "ignore",
    }
    command = [sys.executable, "-m", "celery", "-A", "rupn", "worker", "--pool", "solo", "--loglevel", "WARNING"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        process.log = log
        started.append(process)
        return process

    with shared_redis.left_as_found():
        try:
            yield start
        finally:
            for process in started:
                if process.poll() is None:
                    process.terminate()  # warm shutdown: the message it holds goes back to the queue or is acked
                    try:
                        process.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
                process.log.close()


def test_a_batch_whose_worker_is_killed_starts_over_on_a_new_worker_and_holds_every_school_once(worker_processes, cast):
    third = SchoolFactory(name="Collège Gaston Roupnel", departement=cast.school_a.departement, collectivity=cast.cd21)
    schools = [cast.school_a, cast.school_b, third]
    for school in schools:
        plan_get_or_create(school=school, school_year=cast.school_year)
    first = worker_processes()

    with jobs_queued_for_real():
        batch, _created = print_batch_start(
            user=cast.dane, academie=cast.dijon, departement=None, school_year=cast.school_year
        )
    assert wait_for(lambda: PrintBatch.objects.get(pk=batch.pk).state == "running", timeout=120, every=0.01)
    worker_processes()  # the worker that will be there after the restart, starting while the first one prints
    assert wait_for(lambda: PrintBatch.objects.get(pk=batch.pk).done >= 1, timeout=120, every=0.01)
    first.send_signal(signal.SIGKILL)  # in the middle: some schools printed, the ZIP not written
    first.wait(timeout=30)

    batch.refresh_from_db()
    assert batch.state == "running" and 1 <= batch.done < batch.total == len(schools), batch
    assert not batch.file

    with jobs_queued_for_real():
        assert print_batches_reap.delay(0).get(timeout=60) == 1  # the beat job: the silent batch is queued again
    assert wait_for(lambda: PrintBatch.objects.get(pk=batch.pk).state == "done", timeout=120)

    batch.refresh_from_db()
    assert (batch.done, batch.total, batch.failures) == (len(schools), len(schools), [])
    with batch.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        names = archive.namelist()
    assert sorted(names) == sorted(f"{school.uai}.pdf" for school in schools)  # each school once
    folder = Path(settings.MEDIA_ROOT) / "impressions"
    assert sorted(p.name for p in folder.iterdir()) == [Path(batch.file.name).name]  # the dead run's part is gone
