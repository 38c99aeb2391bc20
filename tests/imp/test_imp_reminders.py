"""The IMP's reminders: envelope notified (principals) and a proposed IMP waiting for its holder's agreement."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from imp.models import BoardOpinion
from notifications.models import SentEmail
from schools.models import SchoolYear
from tests.factories import EnvelopeFactory, ImpAwardFactory, PersonFactory, imp_rate

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def send(today: datetime.date, *kinds: str) -> list:
    before = len(mail.outbox)
    call_command("send_reminders", date=today.isoformat(), kind=list(kinds), stdout=StringIO())
    return mail.outbox[before:]


def january(cast) -> datetime.date:
    return datetime.date(cast.school_year.start_year + 1, 1, 20)


def test_envelope_notified_tells_the_principal_once_with_the_amount_and_a_link(cast):
    next_year, _created = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year + 1)
    EnvelopeFactory(school=cast.school_a, school_year=next_year, amount=Decimal("3750.00"))

    (message,) = send(january(cast), "envelope_notified")

    assert message.to == [cast.principal_a.email]
    assert message.subject == f"[RUPN] Enveloppe IMP {next_year.name} notifiée — {cast.school_a.name}"
    assert f"pour {next_year.name} : 3{NBSP}750,00{NBSP}€." in message.body
    link = settings.SITE_URL + reverse("imp:school", args=[cast.school_a.uai, next_year.name])
    assert link in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html" and f'href="{link}"' in html
    assert "&#x27;" not in message.body
    assert send(january(cast), "envelope_notified") == []  # the second run sends nothing
    assert send(january(cast) + datetime.timedelta(days=7), "envelope_notified") == []
    assert SentEmail.objects.filter(kind="envelope_notified").count() == 1


def test_envelope_of_a_past_year_is_not_announced(cast):
    past, _created = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year - 1)
    EnvelopeFactory(school=cast.school_a, school_year=past)
    assert send(january(cast), "envelope_notified") == []


def test_proposed_imp_asks_its_holder_once_for_their_agreement(cast):
    award = ImpAwardFactory(
        school=cast.school_a,
        school_year=cast.school_year,
        person=cast.referent_person,
        rate=imp_rate("2500"),
        proposed=True,
    )
    ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, accepted=True)  # already answered
    ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, proposed=True)  # no account: no e-mail
    PersonFactory(school=cast.school_a)

    (message,) = send(january(cast), "imp_award_proposed")

    assert message.to == [cast.referent_a.email]
    assert message.subject == f"[RUPN] Une IMP {cast.school_year.name} attend votre accord — {cast.school_a.name}"
    assert f"au taux annuel de 2{NBSP}500,00{NBSP}€" in message.body
    assert "versée par neuvièmes, de novembre à juillet" in message.body
    assert settings.SITE_URL + reverse("imp:mine") in message.body
    ((html, _mimetype),) = message.alternatives
    assert f'href="{settings.SITE_URL}{reverse("imp:mine")}"' in html
    assert send(january(cast), "imp_award_proposed") == []  # the second run sends nothing

    award.state = "accepted"
    award.save()
    assert send(january(cast) + datetime.timedelta(days=1), "imp_award_proposed") == []


def test_a_recorded_ca_opinion_stops_the_weekly_ca_reminder(cast):
    next_year, _created = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year + 1)
    february = datetime.date(cast.school_year.start_year + 1, 2, 1)
    assert sorted(m.to[0] for m in send(february, "ca_weekly")) == sorted(
        [cast.principal_a.email, cast.principal_b.email]
    )
    BoardOpinion.objects.create(
        school=cast.school_a, school_year=next_year, body="cp", date=february, opinion="favorable"
    )
    next_week = february + datetime.timedelta(days=7)
    assert sorted(m.to[0] for m in send(next_week, "ca_weekly")) == sorted(
        [cast.principal_a.email, cast.principal_b.email]
    )  # the conseil pédagogique's opinion is not the CA's
    BoardOpinion.objects.create(
        school=cast.school_a, school_year=next_year, body="ca", date=next_week, opinion="favorable"
    )
    week_after = next_week + datetime.timedelta(days=7)
    assert [m.to for m in send(week_after, "ca_weekly")] == [[cast.principal_b.email]]
