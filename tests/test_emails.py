"""Every e-mail of the project as mail clients read it: its bytes parsed back by Python's email package.

Every reminder kind (notifications.reminders.KINDS, every app's) and every notification is sent through the
locmem backend with long school names full of accents, then read back from its bytes (policy.default, as a mail
client would): the subject decodes to the text rendered from its template, the sender is the académie's DANE,
the HTML part has its title, every link is absolute and the plain-text part says the same as the HTML one.
"""

import datetime
import email
import html as htmllib
import re
from email import policy
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from helpdesk.services import help_request_act, teachers_invite
from helpdesk.tasks import notify_help_request_changed, notify_help_request_filed, send_teacher_invitation
from imp import services as imp_services
from imp.award_emails import notify_award_answer
from imp.models import AwardEvent, ImpAward
from missions.models import AllocationPlan, PlanRow
from missions.plan_emails import notify_plan_submitted
from missions.services import plan_get_or_create, plan_rollover
from notifications import reminders
from schools.models import SchoolYear
from tests.factories import (
    EnvelopeFactory,
    EventFactory,
    EventRegistrationFactory,
    HelpRequestFactory,
    ImpAwardFactory,
    PersonFactory,
    UserFactory,
    imp_rate,
)

pytestmark = pytest.mark.django_db

LONG_NAMES = {
    "school_a": "Collège André Leroi-Gourhan — Cité scolaire Émile-Zola de Chalon-sur-Saône (Saône-et-Loire)",
    "school_b": "Lycée des métiers de l'hôtellerie et de la restauration Château-Chinon « Les Îles » Nièvre",
}


def day(cast, month: int, day_: int) -> datetime.date:
    start = cast.school_year.start_year
    return datetime.date(start if month >= 9 else start + 1, month, day_)


def send(today: datetime.date, kind: str) -> list:
    before = len(mail.outbox)
    call_command("send_reminders", date=today.isoformat(), kind=[kind], stdout=StringIO())
    return mail.outbox[before:]


def every_email(cast) -> dict[str, list]:
    """kind -> the e-mails sent: every reminder kind and the plan submission notice, about long school names."""
    for attribute, name in LONG_NAMES.items():
        school = getattr(cast, attribute)
        school.name = name
        school.save(update_fields=["name"])
    next_year, _created = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year + 1)
    last_year, _created = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year - 1)
    EnvelopeFactory(school=cast.school_a, school_year=next_year)
    holder = UserFactory(email="helene.lefevre@ac-dijon.fr", first_name="Hélène", last_name="Lefèvre-Château")
    ImpAwardFactory(
        school=cast.school_a,
        school_year=cast.school_year,
        person=PersonFactory(school=cast.school_a, user=holder, first_name="Hélène", last_name="Lefèvre-Château"),
        rate=imp_rate("2500"),
        proposed=True,
    )
    event_day = day(cast, 3, 10)
    starts = timezone.make_aware(datetime.datetime.combine(event_day + datetime.timedelta(days=7), datetime.time(14)))
    event = EventFactory(
        academie=cast.dijon,
        title="Rencontre académique des référents numériques — numérique éducatif et intelligence artificielle",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        link="https://classe-virtuelle.ac-dijon.fr/rupn",
    )
    EventRegistrationFactory(event=event, user=cast.referent_a)
    plan_get_or_create(school=cast.school_b, school_year=last_year)
    plan_rollover(school=cast.school_b, school_year=cast.school_year)

    sent = {
        "ca_weekly": send(day(cast, 2, 1), "ca_weekly"),
        "review_missing": send(day(cast, 3, 31), "review_missing"),
        "event_soon": send(event_day, "event_soon"),
        "rentree_plan": send(day(cast, 9, 1), "rentree_plan"),
        "envelope_notified": send(day(cast, 1, 20), "envelope_notified"),
        "imp_award_proposed": send(day(cast, 1, 20), "imp_award_proposed"),
    }

    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    row = PlanRow.objects.filter(plan=plan).order_by("pk").first()
    row.holders.add(cast.referent_person)
    AllocationPlan.objects.filter(pk=plan.pk).update(state=AllocationPlan.State.SUBMITTED, submitted_at=timezone.now())
    before = len(mail.outbox)
    notify_plan_submitted(plan.pk)
    sent["plan_submitted"] = mail.outbox[before:]
    before = len(mail.outbox)
    award = ImpAward.objects.get(person__user=holder)
    imp_services.award_accept(award=award, expected_version=award.version, by=holder)
    notify_award_answer(AwardEvent.objects.get(award=award, kind=AwardEvent.Kind.ACCEPTED).pk)
    sent["imp_award_answered"] = mail.outbox[before:]
    sent |= _helpdesk_emails(cast)
    return sent


def _helpdesk_emails(cast) -> dict[str, list]:
    """The team's e-mails (helpdesk.tasks): the invitation, a request filed, a step of the request."""
    teacher = PersonFactory(school=cast.school_a, first_name="Éloïse", last_name="Château-Lévêque")
    sent = {}
    before = len(mail.outbox)
    teachers_invite(school=cast.school_a, persons=[teacher], by=cast.principal_a)
    send_teacher_invitation(teacher.pk)
    sent["teacher_invitation"] = mail.outbox[before:]
    teacher.refresh_from_db()
    request = HelpRequestFactory(
        school=cast.school_a,
        author=teacher,
        subject="Le tableau numérique interactif de la salle Émile-Zola ne répond plus — urgent",
    )
    before = len(mail.outbox)
    notify_help_request_filed(request.pk)
    sent["help_request_filed"] = mail.outbox[before:]
    help_request_act(request=request, action="ask", expected_version=1, by=cast.referent_a, note="Depuis quand ?")
    before = len(mail.outbox)
    notify_help_request_changed(request.events.get().pk)
    sent["help_request_changed"] = mail.outbox[before:]
    return sent


# The e-mails that are not reminders (missions.plan_emails, imp.award_emails, helpdesk.tasks).
NOTIFICATIONS = {
    "plan_submitted",
    "imp_award_answered",
    "teacher_invitation",
    "help_request_filed",
    "help_request_changed",
}


@pytest.fixture
def emails(cast):
    return every_email(cast)


def parsed(message, mail_policy=policy.default):
    """The message as its recipient's mail client reads it: its bytes, parsed back."""
    return email.message_from_bytes(message.message(policy=mail_policy).as_bytes(), policy=policy.default)


def test_every_kind_and_notification_is_sent(emails):
    assert set(emails) == set(reminders.KINDS) | NOTIFICATIONS, "add the new kind to every_email()"
    assert all(emails.values()), {kind: len(sent) for kind, sent in emails.items()}


@pytest.mark.parametrize("mail_policy", [policy.default, policy.SMTP], ids=["console-locmem", "smtp"])
def test_every_subject_decodes_to_the_text_of_its_template(emails, mail_policy):
    wrong = []
    for kind, sent in emails.items():
        for message in sent:
            assert "\n" not in message.subject
            decoded = parsed(message, mail_policy)["subject"]
            if decoded != message.subject:
                wrong.append((kind, message.subject, decoded))
    assert not wrong
    subjects = [m.subject for sent in emails.values() for m in sent]
    assert any(LONG_NAMES["school_a"] in s for s in subjects)  # the long names are in the subjects tested
    assert any(len(s.encode()) > 150 for s in subjects)


def test_the_subject_with_an_em_dash_keeps_its_spaces(emails):
    message = next(m for m in emails["ca_weekly"] if LONG_NAMES["school_a"] in m.subject)
    assert parsed(message)["subject"].endswith(f"attend le conseil d'administration — {LONG_NAMES['school_a']}")


def test_every_email_comes_from_the_dane_of_its_academie(emails):
    for kind, sent in emails.items():
        for message in sent:
            (sender,) = parsed(message)["from"].addresses
            assert sender.display_name == "DANE de l'académie de Dijon", kind
            assert sender.addr_spec == email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def html_part(message) -> str:
    return parsed(message).get_body(preferencelist=("html",)).get_content()


def text_part(message) -> str:
    return parsed(message).get_body(preferencelist=("plain",)).get_content()


WORD = re.compile(r"https?://\S+?(?=[\s<\"]|$)|\w+")


def words_of_html(html: str) -> list[str]:
    body = html[html.index("<body>") :]
    body = re.sub(
        r'<a href="([^"]+)">(.*?)</a>',
        lambda m: m.group(1) if m.group(2) == m.group(1) else f"{m.group(2)} {m.group(1)}",  # "label : URL" in text
        body,
        flags=re.S,
    )
    return WORD.findall(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_every_html_part_has_the_subject_as_title_and_says_what_the_text_part_says(emails):
    for kind, sent in emails.items():
        for message in sent:
            html, text = html_part(message), text_part(message)
            title = re.search(r"<title>(.*?)</title>", html, re.S)
            assert title and htmllib.unescape(title.group(1)) == message.subject, kind
            assert words_of_html(html) == WORD.findall(text), kind


def test_every_link_is_absolute(emails):
    for kind, sent in emails.items():
        for message in sent:
            html, text = html_part(message), text_part(message)
            hrefs = re.findall(r'href="([^"]*)"', html)
            assert hrefs and all(re.match(r"https?://", href) for href in hrefs), (kind, hrefs)
            assert all(h.startswith(settings.SITE_URL) or "classe-virtuelle" in h for h in hrefs), (kind, hrefs)
            assert not re.search(r"(?<![\w:/.])/(etablissements|rappels|mes-imp|evenements)/", text), kind
