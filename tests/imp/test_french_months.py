"""Months are French everywhere (issue 17): the IMP pages and schedules, the CSV exports, the CA sheet and the
lettre de mission, the dashboard, the activity log and the e-mails never show an English month name."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.urls import reverse

from imp.models import ImpAward
from tests.documents.conftest import filled_plan, people  # noqa: F401 (fixtures)
from tests.documents.test_documents import get_pdf, letter_url, sheet_url
from tests.factories import ActivityEntryFactory

# English names and the abbreviations French does not share (French writes "oct.", "nov.", "sept." too).
ENGLISH = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|apr|jun|jul|aug)\b",
    re.IGNORECASE,
)


def visible_text(content: bytes) -> str:
    page = content.decode("utf-8-sig")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.usefixtures("filled_plan")
def test_no_english_month_in_pages_exports_documents_and_e_mails(client_for, cast, imp, make_award):
    year = cast.school_year
    make_award(imp.staff.romain, "1250", state="validated")
    part_year = make_award(
        imp.staff.alice,
        "625",
        state="validated",
        whole_year=False,
        start_date=datetime.date(year.start_year + 1, 6, 1),
        end_date=datetime.date(year.start_year + 1, 6, 30),
    )
    # Declared done on 3 July (written directly: the service refuses a date in the future).
    ImpAward.objects.filter(pk=part_year.pk).update(
        state=ImpAward.State.CLOSED, service_done_on=datetime.date(year.start_year + 1, 7, 3)
    )
    for month in (9, 11, 1, 5, 6, 7):
        ActivityEntryFactory(
            person=cast.referent_person, date=datetime.date(year.start_year + (month < 9), month, 10), minutes=45
        )
    school = [cast.school_a.uai, year.name]
    texts: dict[str, str] = {}
    for user, urls in {
        cast.principal_a: [
            reverse("imp:school", args=school),
            reverse("imp:schedule", args=school),
            reverse("imp:schedule_csv", args=school),
            reverse("imp:award", args=[*school, part_year.pk]),
            reverse("missions:school_activity", args=school),
            reverse("missions:school_activity_export", args=school),
        ],
        cast.referent_a: [
            reverse("imp:mine"),
            reverse("imp:mine_csv"),
            reverse("missions:activity"),
            reverse("missions:activity_export"),
        ],
        cast.rectorat: [reverse("imp:queue"), reverse("imp:envelopes"), reverse("imp:payroll_csv")],
        cast.dane: [reverse("dashboard:dashboard"), reverse("dashboard:schools")],
    }.items():
        client = client_for(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            texts[url] = visible_text(response.content)
    client = client_for(cast.principal_a)
    texts["CA sheet"] = " ".join(get_pdf(client, sheet_url(cast))[1])
    texts["lettre de mission"] = " ".join(get_pdf(client, letter_url(cast, cast.referent_person))[1])
    for message in mail.outbox:
        texts[f"e-mail « {message.subject} »"] = f"{message.subject}\n{message.body}"

    assert "du 1er au 30 juin" in texts[reverse("imp:schedule", args=school)]
    assert "juillet" in texts[reverse("imp:schedule", args=school)].lower()
    assert f"juillet {year.start_year + 1}" in texts[reverse("imp:payroll_csv")]
    assert len(texts) > 15
    found = {where: ENGLISH.findall(text) for where, text in texts.items() if ENGLISH.search(text)}
    assert found == {}
