"""One definition of "IMP proposées" (ImpAward.PROPOSED_STATES): the IMP page, the CA sheet and the dashboard agree."""

import re
from decimal import Decimal

from dashboard import selectors as dashboard_selectors
from documents.content import ca_sheet_data, load_plan
from imp.models import ImpAward
from missions.services import plan_get_or_create
from rupn.lib.formats import format_euros as euros
from tests.factories import EnvelopeFactory, ImpAwardFactory, PersonFactory, imp_rate

NBSP = "\u00a0"
RATES = ["312.50", "625", "1250", "2500", "3750"]


def award_in_every_state(cast):
    """One award per state, each of its own person and rate so that any wrong sum shows."""
    awards = {}
    for index, state in enumerate(ImpAward.State.values):
        person = PersonFactory(school=cast.school_a)
        extra = {"rejection_reason": "Motif"} if state == ImpAward.State.REJECTED else {}
        if state == ImpAward.State.CLOSED:
            extra["service_done_on"] = cast.school_year.end_date
        awards[state] = ImpAwardFactory(
            school=cast.school_a,
            school_year=cast.school_year,
            person=person,
            rate=imp_rate(RATES[index % len(RATES)]),
            state=state,
            **extra,
        )
    return awards


def test_imp_page_ca_sheet_and_dashboard_count_the_same_proposed_awards(client_for, cast):
    EnvelopeFactory(school=cast.school_a, school_year=cast.school_year, amount=Decimal("20000.00"))
    awards = award_in_every_state(cast)
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    expected = sum((a.rate.amount for a in awards.values() if a.state in ImpAward.PROPOSED_STATES), Decimal("0"))
    drafts = awards[ImpAward.State.DRAFT].rate.amount

    page = client_for(cast.principal_a).get(f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/imp/")
    (sentence,) = re.findall(r'<p class="fr-text--sm" id="imp-proposed">(.*?)</p>', page.content.decode())
    sheet = ca_sheet_data(load_plan(plan.pk)).imp
    (row,) = [
        r for r in dashboard_selectors.school_rows([cast.dijon.pk], cast.school_year) if r.uai == cast.school_a.uai
    ]

    assert f"IMP proposées : {euros(expected)}" in sentence.replace("&nbsp;", NBSP)
    assert f"en préparation (brouillons, pas encore proposés) : {euros(drafts)}" in sentence.replace("&nbsp;", NBSP)
    assert sheet.total == euros(expected)
    assert row.imp_proposed == expected
    # Drafts are shown apart on the CA sheet, never listed among the proposals; void awards count nowhere.
    assert (sheet.drafts, sheet.drafts_total) == (1, euros(drafts))
    listed = {line.person for line in sheet.lines}
    assert listed == {a.person.full_name for a in awards.values() if a.state in ImpAward.PROPOSED_STATES}
