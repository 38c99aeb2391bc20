"""The rectorat's payroll export: one line per person, award and month, in CSV and .xlsx."""

import csv
import io
import re
import zipfile
from decimal import Decimal

from django.urls import reverse

from imp.models import ImpAward
from tests.factories import ImpAwardFactory, PersonFactory

HEADER = [
    "uai",
    "établissement",
    "nom",
    "prénom",
    "mission",
    "taux annuel (€)",
    "mois",
    "mois (libellé)",
    "montant (€)",
    "remplacement",
]


def csv_rows(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff") and body.endswith("\r\n")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_rectorat_downloads_one_line_per_person_and_month_of_its_academie(client_for, cast, imp, make_award):
    make_award(imp.staff.romain, "1250", state="validated")
    make_award(imp.staff.alice, "625", state="paying")
    make_award(imp.staff.bruno, "625", state="proposed")  # not validated: not paid
    ImpAwardFactory(  # another académie's award is not the rectorat de Dijon's payroll
        school=cast.school_c, school_year=cast.school_year, person=PersonFactory(school=cast.school_c), validated=True
    )
    response = client_for(cast.rectorat).get(reverse("imp:payroll_csv"), {"annee": cast.school_year.name})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="imp-paie-{cast.school_year.name}.csv"' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header == HEADER
    y = cast.school_year.start_year
    assert [row[2] for row in rows] == ["Dupont"] * 9 + ["Référent"] * 9  # by name, then month
    assert rows[9] == [
        cast.school_a.uai,
        cast.school_a.name,
        "Référent",
        "Romain",
        "Référent pour les ressources et usages pédagogiques numériques",
        "1250,00",
        f"{y}-11",
        f"novembre {y}",
        "138,89",
        "non",
    ]
    assert [row[7] for row in rows[9:]][-2:] == [f"juin {y + 1}", f"juillet {y + 1}"]
    assert sum(Decimal(row[8].replace(",", ".")) for row in rows) == Decimal("1875.00")


def test_payroll_follows_the_year_asked_and_refuses_an_unknown_one(client_for, cast, imp, make_award):
    make_award(imp.staff.romain, "1250", state="validated")
    client = client_for(cast.rectorat)
    next_year = f"{cast.school_year.start_year + 5}-{cast.school_year.start_year + 6}"
    assert client.get(reverse("imp:payroll_csv"), {"annee": next_year}).status_code == 404
    assert client.get(reverse("imp:payroll_csv"), {"annee": "2026-2099999999999999"}).status_code == 404
    assert len(csv_rows(client.get(reverse("imp:payroll_csv")))) == 10  # the current year by default


def test_payroll_xlsx_has_a_frozen_filtered_header_euro_amounts_and_names_as_text(client_for, cast, imp, make_award):
    imp.staff.romain.last_name = "=HYPERLINK(1)"
    imp.staff.romain.first_name = "@SUM(1+1)"
    imp.staff.romain.save(update_fields=["last_name", "first_name"])
    make_award(imp.staff.romain, "1250", state="validated")
    response = client_for(cast.rectorat).get(reverse("imp:payroll_xlsx"))

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    styles = book.read("xl/styles.xml").decode()
    assert 'state="frozen"' in sheet and 'ySplit="1"' in sheet
    assert '<autoFilter ref="A1:J10"/>' in sheet
    assert "<cols>" in sheet and 'customWidth="1"' in sheet
    assert "<f>" not in sheet  # no formula anywhere: the names are strings
    assert '<c r="C2" t="inlineStr"><is><t>=HYPERLINK(1)</t></is></c>' in sheet  # text cells, never formulas
    assert '<c r="D2" t="inlineStr"><is><t>@SUM(1+1)</t></is></c>' in sheet
    assert "€" in styles
    assert re.search(r'<c r="F2" s="\d+"><v>1250</v></c>', sheet)  # the rate is a number with a format


def test_only_the_rectorat_downloads_the_payroll(client_for, cast):
    for user in (cast.principal_a, cast.dane, cast.referent_a):
        assert client_for(user).get(reverse("imp:payroll_csv")).status_code == 403
        assert client_for(user).get(reverse("imp:payroll_xlsx")).status_code == 403


def test_the_queue_links_the_payroll_exports(client_for, cast):
    page = client_for(cast.rectorat).get(reverse("imp:queue")).content.decode()
    assert f"{reverse('imp:payroll_csv')}?annee={cast.school_year.name}" in page
    assert f"{reverse('imp:payroll_xlsx')}?annee={cast.school_year.name}" in page


def test_payroll_reads_a_fixed_number_of_queries(client_for, cast, imp, make_award, django_assert_max_num_queries):
    make_award(imp.staff.romain, "1250", state="validated")
    client = client_for(cast.rectorat)
    client.get(reverse("imp:payroll_csv"))
    for person in (imp.staff.alice, imp.staff.bruno, imp.staff.cpe):
        make_award(person, "625", state="validated")
    assert ImpAward.objects.filter(state="validated").count() == 4
    with django_assert_max_num_queries(12):
        client.get(reverse("imp:payroll_csv"))
