"""Reminders through Redis and a real Celery worker: the beat job queues, the worker sends, each e-mail once."""

import datetime
import threading
import time

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from notifications.models import SentEmail
from notifications.tasks import reminders_daily, send_reminder
from rupn.celery import app as celery_app
from tests.factories import ReviewFactory


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def april_first(cast) -> str:
    return datetime.date(cast.school_year.start_year + 1, 4, 1).isoformat()


def test_beat_schedule_names_the_reminder_rentree_purge_reap_anonymization_and_outbox_jobs():
    celery_app.loader.import_default_modules()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks == {
        "missions.tasks.reminders_daily",
        "missions.tasks.rentree_rollover",
        "rupn.tasks.print_batches_purge",
        "rupn.tasks.print_batches_reap",
        "rupn.tasks.anonymize_persons",
        "notifications.tasks.outbox_drain",
    }
    assert settings.CELERY_BEAT_SCHEDULE["outbox_drain"]["task"] == "notifications.tasks.outbox_drain"
    assert tasks <= set(celery_app.tasks)


def test_the_beat_job_queues_and_the_worker_sends_each_reminder_once(celery_worker, cast):
    mail.outbox = []
    day = april_first(cast)

    assert reminders_daily.delay(day).get(timeout=30) == 4  # CA and review reminders for schools A and B
    assert wait_for(lambda: len(mail.outbox) == 4), [m.to for m in mail.outbox]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.principal_a.email, cast.principal_b.email] * 2)

    assert reminders_daily.delay(day).get(timeout=30) == 0  # the second run finds nothing left to send
    # Even tasks queued twice (a beat tick replayed, a message redelivered) send nothing more.
    assert send_reminder.delay("review_missing", cast.school_a.pk, day).get(timeout=30) == 0
    assert send_reminder.delay("ca_weekly", cast.school_b.pk, day).get(timeout=30) == 0
    assert len(mail.outbox) == 4
    assert SentEmail.objects.exclude(kind="").count() == 4


def test_a_task_failing_half_way_is_retried_by_the_worker_and_sends_each_email_once(celery_worker, cast, monkeypatch):
    mail.outbox = []
    ReviewFactory(school=cast.school_a, school_year=cast.school_year, dane_adviser=cast.dane)
    real_send = EmailMultiAlternatives.send
    failures: list[str] = []
    lock = threading.Lock()

    def flaky_send(message, fail_silently=False):
        with lock:
            if message.to == [cast.dane.email] and not failures:  # the second e-mail of the task, first attempt
                failures.append(message.to[0])
                raise OSError("SMTP connection lost")
        return real_send(message, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky_send)

    result = send_reminder.delay("review_missing", cast.school_a.pk, april_first(cast))

    assert result.get(timeout=30) == 1  # the retry sent only what the failed attempt had not
    assert failures == [cast.dane.email]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.principal_a.email, cast.dane.email])
    assert SentEmail.objects.filter(kind="review_missing").count() == 2
