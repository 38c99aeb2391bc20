"""Reminders of the yearly calendar: what is due when, to whom, once; the command; the page of received ones."""

import datetime
import html as htmllib
from io import StringIO

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from missions.models import AllocationPlan
from missions.services import plan_get_or_create, plan_rollover
from notifications import reminders
from notifications.models import ReminderSettings, SentEmail
from notifications.tasks import reminders_daily, send_reminder
from schools.models import SchoolYear
from tests.factories import EventFactory, EventRegistrationFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def day(cast, month: int, day_: int) -> datetime.date:
    """That day in the cast's school year (September to August)."""
    start = cast.school_year.start_year
    return datetime.date(start if month >= 9 else start + 1, month, day_)


def send(today: datetime.date, *kinds: str) -> list:
    """What the command sends that day (in-process), as e-mails."""
    before = len(mail.outbox)
    call_command("send_reminders", date=today.isoformat(), kind=list(kinds) or None, stdout=StringIO())
    return mail.outbox[before:]


def recipients(messages) -> list[str]:
    return sorted(address for message in messages for address in message.to)


# --- the calendar ------------------------------------------------------------------------------------------------


def test_weekly_ca_reminder_runs_from_february_until_the_plan_is_submitted(cast):
    assert send(day(cast, 1, 31), "ca_weekly") == []
    first_week = send(day(cast, 2, 1), "ca_weekly")
    assert recipients(first_week) == sorted([cast.principal_a.email, cast.principal_b.email])
    assert send(day(cast, 2, 1), "ca_weekly") == []  # the same day again
    same_week = day(cast, 2, 1) + datetime.timedelta(days=(6 - day(cast, 2, 1).weekday()))
    assert send(same_week, "ca_weekly") == []  # later in the same ISO week

    next_year = SchoolYear.objects.get(start_year=cast.school_year.start_year + 1)
    plan = plan_get_or_create(school=cast.school_a, school_year=next_year)
    AllocationPlan.objects.filter(pk=plan.pk).update(state=AllocationPlan.State.SUBMITTED, submitted_at=timezone.now())
    next_week = send(same_week + datetime.timedelta(days=1), "ca_weekly")
    assert recipients(next_week) == [cast.principal_b.email]
    assert send(day(cast, 7, 1), "ca_weekly") == []  # after 30 June


def test_the_ca_reminder_is_french_with_text_html_and_a_link_to_the_table(cast):
    (message,) = [m for m in send(day(cast, 2, 1), "ca_weekly") if m.to == [cast.principal_a.email]]
    next_year = f"{cast.school_year.start_year + 1}-{cast.school_year.start_year + 2}"
    link = settings.SITE_URL + reverse("missions:allocation", args=[cast.school_a.uai, next_year])
    assert (
        message.subject
        == f"[RUPN] Rappel : le plan {next_year} attend le conseil d'administration — {cast.school_a.name}"
    )
    assert message.body.startswith("Bonjour Anne Principale,")
    assert "n'est pas encore soumis au conseil d'administration" in message.body
    assert link in message.body
    assert "&#x27;" not in message.body  # the text part is not HTML-escaped
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert '<html lang="fr">' in html


def test_review_reminder_after_the_deadline_goes_to_the_principal_and_the_adviser_once(cast):
    ReviewFactory(school=cast.school_a, school_year=cast.school_year, dane_adviser=cast.dane)
    assert send(day(cast, 3, 30), "review_missing") == []  # default deadline: 31 March
    sent = send(day(cast, 3, 31), "review_missing")
    assert recipients(sent) == sorted([cast.principal_a.email, cast.dane.email, cast.principal_b.email])
    to_dane = next(m for m in sent if m.to == [cast.dane.email])
    assert cast.school_a.name in to_dane.subject
    assert settings.SITE_URL + reverse("missions:reviews", args=[cast.school_a.uai, cast.school_year.name]) in (
        to_dane.body
    )
    assert send(day(cast, 4, 15), "review_missing") == []  # once a year


def test_review_reminder_follows_the_academie_settings_and_skips_schools_with_a_review_done(cast):
    ReminderSettings.objects.create(
        academie=cast.dijon, review_deadline_month=1, review_deadline_day=15, default_dane_adviser=cast.dane
    )
    ReviewFactory(school=cast.school_b, school_year=cast.school_year, done=True)
    sent = send(day(cast, 1, 15), "review_missing")
    assert recipients(sent) == sorted([cast.principal_a.email, cast.dane.email])


def test_event_reminder_goes_seven_days_before_with_the_event_attached(cast):
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=7), datetime.time(14)))
    event = EventFactory(academie=cast.dijon, title="Rencontre annuelle", starts_at=start)
    EventRegistrationFactory(event=event, user=cast.referent_a)
    assert send(today - datetime.timedelta(days=1), "event_soon") == []  # eight days before
    (message,) = send(today, "event_soon")
    assert message.to == [cast.referent_a.email]
    assert message.subject.startswith("[RUPN] Rappel : Rencontre annuelle, le ")
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == ("evenement-rupn.ics", "text/calendar")
    assert "SUMMARY:Rencontre annuelle" in content
    assert send(today, "event_soon") == []
    assert send(today + datetime.timedelta(days=1), "event_soon") == []  # once per event and person


def test_rentree_reminder_tells_the_principal_of_the_copied_draft(cast):
    last_year = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year - 1)[0]
    plan_get_or_create(school=cast.school_a, school_year=last_year)
    plan_rollover(school=cast.school_a, school_year=cast.school_year)
    (message,) = send(day(cast, 9, 1), "rentree_plan")
    assert message.to == [cast.principal_a.email]
    assert f"reprend le plan {last_year.name}" in message.body
    assert send(day(cast, 9, 2), "rentree_plan") == []


# --- the jobs, the command, the page -----------------------------------------------------------------------------


def test_the_daily_job_queues_one_task_per_object_not_yet_reminded(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert reminders_daily(day(cast, 4, 1).isoformat()) == 4  # ca_weekly and review_missing, schools A and B
    assert len(queued) == 4
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        reminders_daily(day(cast, 4, 1).isoformat())
    assert len(mail.outbox) == 4
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert reminders_daily(day(cast, 4, 1).isoformat()) == 0  # nothing left: nothing queued
    assert queued == []


def test_a_task_that_fails_half_way_sends_the_rest_on_retry_and_nothing_twice(cast, monkeypatch):
    ReviewFactory(school=cast.school_a, school_year=cast.school_year, dane_adviser=cast.dane)
    real_send = EmailMultiAlternatives.send
    failures = []

    def flaky_send(message, fail_silently=False):
        if message.to == [cast.dane.email] and not failures:
            failures.append(message.to)
            raise OSError("SMTP connection lost")
        return real_send(message, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky_send)
    args = ["review_missing", cast.school_a.pk, day(cast, 4, 1).isoformat()]
    with pytest.raises(Retry):  # autoretry_for=OSError: the task asks to be run again
        send_reminder.apply(args=args)
    assert recipients(mail.outbox) == [cast.principal_a.email]
    assert send_reminder.apply(args=args).get() == 1  # what the worker does on retry: the rest only
    assert failures == [[cast.dane.email]]
    assert recipients(mail.outbox) == sorted([cast.principal_a.email, cast.dane.email])  # each once
    assert SentEmail.objects.filter(kind="review_missing").count() == 2


def test_dry_run_prints_what_would_be_sent_and_sends_nothing(cast):
    out = StringIO()
    call_command("send_reminders", "--dry-run", date=day(cast, 4, 1).isoformat(), stdout=out)
    output = out.getvalue()
    assert f"[à envoyer] review_missing → {cast.principal_a.email} : [RUPN] Point d'étape" in output
    assert "4 rappel(s) seraient envoyés" in output
    assert mail.outbox == [] and not SentEmail.objects.exists()


def test_the_command_twice_sends_each_reminder_once(cast):
    first, second = StringIO(), StringIO()
    call_command("send_reminders", date=day(cast, 4, 1).isoformat(), stdout=first)
    call_command("send_reminders", date=day(cast, 4, 1).isoformat(), stdout=second)
    assert "4 rappel(s) envoyé(s)" in first.getvalue()
    assert "Aucun nouveau rappel à envoyer" in second.getvalue()
    assert len(mail.outbox) == 4


def test_unknown_kind_in_a_queued_task_sends_nothing(cast):
    assert send_reminder("no_such_kind", cast.school_a.pk, day(cast, 4, 1).isoformat()) == 0


def test_a_user_sees_the_reminders_they_received(client_for, cast):
    send(day(cast, 4, 1))
    response = client_for(cast.principal_a).get(reverse("missions:my_reminders"))
    page = htmllib.unescape(response.content.decode())
    assert "Point d'étape de l'année pas encore fait" in page
    assert "Plan de l'année prochaine pas encore passé en conseil d'administration" in page
    assert reverse("missions:reviews", args=[cast.school_a.uai, cast.school_year.name]) in page
    assert response.context["page"].paginator.count == 2
    other = client_for(cast.referent_a).get(reverse("missions:my_reminders"))
    assert "Vous n'avez reçu aucun rappel." in htmllib.unescape(other.content.decode())


def test_every_kind_has_its_three_templates():
    from django.template.loader import get_template

    for kind in reminders.KINDS.values():
        for part in ("subject.txt", "body.txt", "body.html"):
            get_template(f"emails/{kind.template}_{part}")


def test_a_kind_plugs_in_with_one_function(cast, monkeypatch):
    monkeypatch.setattr(reminders, "KINDS", dict(reminders.KINDS))

    @reminders.reminder("test_kind", label="Essai", template="reminder_ca_weekly")
    def source(today, only=None):
        yield reminders.Outgoing(
            object_id=cast.school_a.pk,
            school_year=cast.school_year.start_year,
            user=cast.principal_a,
            link="/",
            context={"school": cast.school_a, "next_year": cast.school_year, "plan": None},
        )

    assert len(send(timezone.localdate(), "test_kind")) == 1
    assert len(send(timezone.localdate(), "test_kind")) == 0


# --- the demo data (acceptance) ----------------------------------------------------------------------------------


def test_send_reminders_twice_on_the_demo_data_sends_each_reminder_once():
    call_command("load_demo", stdout=StringIO())
    # Today, the week before the demo PAF training, and an April day (CA and missing-review reminders).
    for today in ("", "2026-12-02", "2027-04-05"):
        first, second = StringIO(), StringIO()
        options = {"date": today} if today else {}
        before = len(mail.outbox)
        call_command("send_reminders", stdout=first, **options)
        sent = len(mail.outbox) - before
        call_command("send_reminders", stdout=second, **options)
        assert len(mail.outbox) - before == sent, today
        assert "Aucun nouveau rappel à envoyer" in second.getvalue(), today
        keys = list(SentEmail.objects.exclude(kind="").values_list("key", flat=True))
        assert len(keys) == len(set(keys))
    kinds = set(SentEmail.objects.exclude(kind="").values_list("kind", flat=True))
    assert {"event_soon", "ca_weekly", "review_missing"} <= kinds
    # The demo referent is also asked to agree to their proposed IMP (imp/reminders.py).
    event_mail = next(m for m in mail.outbox if m.to == ["referent@demo.rupn.fr"] and "IMP" not in m.subject)
    assert event_mail.attachments[0][2] == "text/calendar"


@pytest.mark.parametrize(
    ("month", "day_", "expected"),
    [(3, 31, datetime.date(2027, 3, 31)), (11, 15, datetime.date(2026, 11, 15)), (2, 29, datetime.date(2027, 2, 28))],
)
def test_academie_dates_fall_in_the_school_year(month, day_, expected):
    settings_ = ReminderSettings(review_deadline_month=month, review_deadline_day=day_)
    assert settings_.review_deadline(SchoolYear(start_year=2026)) == expected
    assert ReminderSettings().ca_window(SchoolYear(start_year=2026)) == (
        datetime.date(2027, 2, 1),
        datetime.date(2027, 6, 30),
    )


def test_academie_settings_refuse_a_day_that_does_not_exist():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="n'est pas une date"):
        ReminderSettings(ca_end_month=6, ca_end_day=31).clean()
