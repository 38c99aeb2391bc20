"""Numbers with bounds (issue 16, point 2): an amount, count or id beyond its column's range is a French message or
a 400 before it reaches the database, never a 500, and nothing is saved."""

import html
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imp.models import Envelope, ImpAward
from imp.money import MAX_EUROS, euros_out_of_bounds, parse_euros
from tests.factories import EnvelopeFactory, ImpAwardFactory
from tests.imp.conftest import record_opinions
from tests.utils import extract_form_fields, flat

HUGE_ID = "9999999999999999999999999"


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_money_parser_has_an_upper_bound():
    assert euros_out_of_bounds(MAX_EUROS) is None
    assert euros_out_of_bounds(parse_euros("9 999 999,99 €")) is None
    assert (
        euros_out_of_bounds(parse_euros("10 000 000,00"))
        == "le montant ne peut pas dépasser 9\u00a0999\u00a0999,99\u00a0€."
    )


def _envelope_page(client):
    return client.get(reverse("imp:envelopes"))


@pytest.mark.parametrize("amount", ["123 456 789,00", "10000000", "99999999999999999999"])
def test_a_huge_envelope_typed_in_the_form_is_refused_with_a_message(client_for, cast, amount):
    client = client_for(cast.rectorat)
    fields = flat(extract_form_fields(_envelope_page(client).content, "envelope-form"))
    fields.update({"action": "set", "envelope-uai": cast.school_a.uai, "envelope-amount": amount})
    response = client.post(reverse("imp:envelopes"), fields)
    assert response.status_code == 400
    assert "Le montant ne peut pas dépasser 9\u00a0999\u00a0999,99\u00a0€." in page_text(response)
    assert not Envelope.objects.exists()


def test_a_huge_envelope_in_the_csv_import_is_refused_with_its_line(client_for, cast):
    client = client_for(cast.rectorat)
    fields = flat(extract_form_fields(_envelope_page(client).content, "envelope-import-form"))
    content = f"uai;montant\n{cast.school_a.uai};3750\n{cast.school_b.uai};123 456 789,00\n".encode()
    fields["import-file"] = SimpleUploadedFile("e.csv", content, "text/csv")
    response = client.post(reverse("imp:envelopes"), fields)
    assert response.status_code == 400
    assert "Ligne 3 : le montant ne peut pas dépasser 9\u00a0999\u00a0999,99\u00a0€." in page_text(response)
    assert not Envelope.objects.exists()


@pytest.fixture
def waiting_award(cast):
    EnvelopeFactory(school=cast.school_a, school_year=cast.school_year, amount=Decimal("3750.00"))
    award = ImpAwardFactory(
        school=cast.school_a, school_year=cast.school_year, person=cast.referent_person, accepted=True
    )
    record_opinions(cast)
    return award


@pytest.mark.parametrize(
    "post",
    [
        {"awards": HUGE_ID, "validate_selected": ""},
        {"awards": ["1", HUGE_ID, "-" + HUGE_ID], "pay_selected": ""},
        {"validate": HUGE_ID},
        {"reject": "-" + HUGE_ID, "reason": "non"},
    ],
    ids=["selected", "mixed", "one", "negative"],
)
def test_a_huge_award_id_in_the_rectorat_queue_is_never_a_500(client_for, cast, waiting_award, post):
    response = client_for(cast.rectorat).post(reverse("imp:queue"), post)
    assert response.status_code in (302, 400, 404)
    waiting_award.refresh_from_db()
    assert waiting_award.state == ImpAward.State.ACCEPTED


@pytest.mark.parametrize("query", [f"?annee={HUGE_ID}", f"?page={HUGE_ID}", f"?etablissement={HUGE_ID}"])
def test_a_huge_number_in_the_queue_query_string_is_never_a_500(client_for, cast, waiting_award, query):
    response = client_for(cast.rectorat).get(reverse("imp:queue") + query)
    assert response.status_code in (200, 400, 404)
