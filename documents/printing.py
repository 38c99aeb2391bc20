"""Batch printing: every CA sheet of a département or an académie, into one ZIP of PDFs named by UAI.

print_batch_start() records the request and queues the job on commit; print_batch_run() (the job's body) renders
one school at a time straight into a ZIP file under MEDIA_ROOT, writing its progress on the batch row after
each school, so the page can poll it and memory stays flat however many schools there are. A school that fails
is listed by name and the others go on. Running the job again restarts the batch from scratch under a new run
token: an older run that is still going notices it lost the batch at its next school and stops.

A worker killed in the middle of a batch (SIGKILL, out of memory, the machine restarted) leaves it "running" with
no one at work: print_batches_reap() (beat, every minute) finds the running batches whose progress has not moved
for PRINT_BATCH_STALLED_SECONDS and queues them again, and the batch starts over under a new token. Why a reaper
rather than the message's late acknowledgement alone (acks_late is set too): Redis hands an unacknowledged message
to another worker only after its visibility timeout (an hour by default) counted from delivery, whatever the
progress; a shorter timeout would give a long, healthy batch to a second worker. The batch row's progress is a
heartbeat written after each school, so a silent batch is a dead one.
"""

import datetime
import logging
import os
import uuid
import zipfile
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.content import ca_sheet_data, load_plan, render_ca_sheet
from documents.models import PrintBatch
from missions.models import AllocationPlan
from missions.selectors import catalogue
from notifications.outbox import outbox_enqueue
from schools.models import Academie, Departement, SchoolYear

logger = logging.getLogger(__name__)

BATCH_FOLDER = "impressions"
# A batch that has not moved for this long is taken as lost (its worker died, its job was never run).
STALE_AFTER = datetime.timedelta(minutes=30)


def batch_plans(*, academie_id: int, departement_id: int | None, school_year_id: int) -> QuerySet[AllocationPlan]:
    """The plans a batch prints: the year's plans of the open schools of the académie (or département)."""
    plans = AllocationPlan.objects.filter(
        school_year_id=school_year_id, school__departement__academie_id=academie_id, school__is_active=True
    )
    if departement_id:
        plans = plans.filter(school__departement_id=departement_id)
    return plans.order_by("school__uai")


def active_batch(user) -> PrintBatch | None:
    return (
        PrintBatch.objects.filter(requested_by=user, state__in=PrintBatch.ACTIVE_STATES)
        .select_related("academie", "departement", "school_year")
        .first()
    )


@transaction.atomic
def print_batch_start(
    *, user, academie: Academie, departement: Departement | None, school_year: SchoolYear
) -> tuple[PrintBatch, bool]:
    """Queue a batch for this user, or return the one already running for them (created is then False)."""
    running = active_batch(user)
    if running is not None:
        if timezone.now() - running.updated_at < STALE_AFTER:
            return running, False
        PrintBatch.objects.filter(pk=running.pk).update(state=PrintBatch.State.FAILED, run_token="")
    total = batch_plans(
        academie_id=academie.pk, departement_id=departement.pk if departement else None, school_year_id=school_year.pk
    ).count()
    try:
        with transaction.atomic():
            batch = PrintBatch.objects.create(
                requested_by=user, academie=academie, departement=departement, school_year=school_year, total=total
            )
    except IntegrityError:  # the same user clicked twice at the same moment: show the other click's batch
        return active_batch(user), False
    outbox_enqueue(print_batch, batch.pk)
    return batch, True


def print_batches_reap(*, stalled_after: datetime.timedelta | None = None) -> int:
    """Queue again the running batches that have not moved for stalled_after (their worker died); returns how many.

    Each starts over (print_batch_run); an older run still alive loses its token here and stops at its next school."""
    if stalled_after is None:
        stalled_after = datetime.timedelta(seconds=settings.PRINT_BATCH_STALLED_SECONDS)
    now = timezone.now()
    with transaction.atomic():
        stalled = list(
            PrintBatch.objects.select_for_update(skip_locked=True)
            .filter(state=PrintBatch.State.RUNNING, updated_at__lte=now - stalled_after)
            .values_list("pk", flat=True)
        )
        PrintBatch.objects.filter(pk__in=stalled).update(state=PrintBatch.State.QUEUED, run_token="", updated_at=now)
        for batch_id in stalled:
            logger.warning("Print batch %s stalled: queued again", batch_id)
            outbox_enqueue(print_batch, batch_id)
    return len(stalled)


def _archive_path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def _school_error(error: Exception) -> str:
    return str(error)[:300] or type(error).__name__


def print_batch_run(batch_id: int) -> str:
    """Render every CA sheet of the batch into its ZIP; returns the batch's final state."""
    token = uuid.uuid4().hex
    claimed = PrintBatch.objects.filter(pk=batch_id, state__in=PrintBatch.ACTIVE_STATES).update(
        state=PrintBatch.State.RUNNING, run_token=token, done=0, failures=[], updated_at=timezone.now()
    )
    batch = PrintBatch.objects.filter(pk=batch_id).first()
    if not claimed or batch is None:
        return batch.state if batch else "missing"
    ours = PrintBatch.objects.filter(pk=batch_id, run_token=token)
    schools = list(
        batch_plans(
            academie_id=batch.academie_id, departement_id=batch.departement_id, school_year_id=batch.school_year_id
        ).values_list("pk", "school__uai", "school__name")
    )
    ours.update(total=len(schools))
    name = f"{BATCH_FOLDER}/{batch.pk}-{token}.zip"
    final = _archive_path(name)
    partial = final.with_name(final.name + ".part")
    partial.parent.mkdir(parents=True, exist_ok=True)
    missions = catalogue()
    failures: list[dict] = []
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for index, (plan_id, uai, school_name) in enumerate(schools, start=1):
                try:
                    pdf = render_ca_sheet(ca_sheet_data(load_plan(plan_id, missions=missions)))
                except Exception as error:  # one school's failure must not lose the others
                    logger.exception("CA sheet of %s failed in batch %s", uai, batch_id)
                    failures.append({"uai": uai, "name": school_name, "error": _school_error(error)})
                else:
                    archive.writestr(f"{uai}.pdf", pdf)
                    del pdf
                if not ours.update(done=index, failures=failures, updated_at=timezone.now()):
                    raise _LostBatch
            if failures:
                archive.writestr("ERREURS.txt", _failures_text(failures))
    except _LostBatch:
        partial.unlink(missing_ok=True)
        return "superseded"
    except Exception:
        partial.unlink(missing_ok=True)
        ours.update(state=PrintBatch.State.FAILED, finished_at=timezone.now())
        raise
    os.replace(partial, final)
    now = timezone.now()
    if not ours.update(
        state=PrintBatch.State.DONE,
        file=name,
        finished_at=now,
        expires_at=now + datetime.timedelta(hours=settings.PRINT_BATCH_TTL_HOURS),
    ):
        final.unlink(missing_ok=True)
        return "superseded"
    _remove_other_archives(batch.pk, keep=final)
    return PrintBatch.State.DONE


class _LostBatch(Exception):
    """Another run of the same batch took it over."""


def _failures_text(failures: list[dict]) -> str:
    lines = [_("Ces établissements n'ont pas pu être imprimés :"), ""]
    lines += [f"{f['uai']} — {f['name']} : {f['error']}" for f in failures]
    return "\r\n".join(lines) + "\r\n"


def _remove_other_archives(batch_id: int, *, keep: Path) -> None:
    """A run that was superseded may have left its ZIP or part file behind."""
    folder = keep.parent
    for path in folder.glob(f"{batch_id}-*.zip*"):
        if path != keep:
            path.unlink(missing_ok=True)


def print_batches_purge(now: datetime.datetime | None = None) -> int:
    """Delete the ZIPs of expired batches (the rows stay, so the page can say the file has expired)."""
    now = now or timezone.now()
    purged = 0
    for batch in PrintBatch.objects.filter(expires_at__lte=now).exclude(file="").order_by("pk"):
        _archive_path(batch.file.name).unlink(missing_ok=True)
        PrintBatch.objects.filter(pk=batch.pk).update(file="")
        purged += 1
    return purged


@shared_task(name="rupn.tasks.print_batch", acks_late=True)
def print_batch(batch_id: int) -> str:
    """Print every CA sheet of a batch into its ZIP (print_batch_run); returns the batch's state."""
    return print_batch_run(batch_id)
