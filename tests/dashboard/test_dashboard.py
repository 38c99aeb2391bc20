"""The DANE's dashboard, its table of schools and exports: figures, filters, scope and query counts."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import selectors
from imp.models import BoardOpinion
from missions.models import AllocationPlan, Mission
from missions.services import plan_get_or_create, plan_reopen
from rupn.lib.formats import format_hours
from schools.models import School, SchoolYear
from tests.factories import (
    ActivityEntryFactory,
    DepartementFactory,
    EnvelopeFactory,
    ImpAwardFactory,
    PersonFactory,
    ReviewFactory,
    SchoolFactory,
    SchoolMeansFactory,
    imp_rate,
)


def hold_every_row(plan, people):
    """Give each row of the plan as many holders as its rules ask (one or the minimum, at most the maximum)."""
    for row in plan.rows.select_related("mission"):
        if row.mission.kind == Mission.Kind.STANDARD and not row.mission.requires_action:
            wanted = max(row.mission.min_holders, 1)
            row.holders.set(people[:wanted])


@pytest.fixture
def plans(cast):
    """School A: a draft plan where every rule holds; school B: a submitted plan with nobody named."""
    alice = PersonFactory(school=cast.school_a, last_name="Dupont", first_name="Alice", leaving=True)
    plan_a = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    hold_every_row(plan_a, [alice])
    plan_b = plan_get_or_create(school=cast.school_b, school_year=cast.school_year)
    AllocationPlan.objects.filter(pk=plan_b.pk).update(state="submitted", submitted_at="2026-10-01T10:00Z")
    return plan_a, plan_b


@pytest.fixture
def imp_and_activity(cast, plans):
    """School A: envelope 3 750 €, 1 250 € validated + 2 500 € proposed (+ a draft), a review done, 2 h 15 logged
    this year (and 10 h last year); school B: envelope 2 500 €, a rejected award, a review only scheduled."""
    year = cast.school_year
    EnvelopeFactory(school=cast.school_a, school_year=year, amount=Decimal("3750.00"))
    EnvelopeFactory(school=cast.school_b, school_year=year, amount=Decimal("2500.00"))
    ImpAwardFactory(school=cast.school_a, school_year=year, validated=True)
    ImpAwardFactory(school=cast.school_a, school_year=year, proposed=True, rate=imp_rate("2500"))
    ImpAwardFactory(school=cast.school_a, school_year=year, rate=imp_rate("625"))  # a draft: not proposed yet
    ImpAwardFactory(school=cast.school_b, school_year=year, rejected=True)
    ReviewFactory(school=cast.school_a, school_year=year, done=True)
    ReviewFactory(school=cast.school_b, school_year=year)
    person = PersonFactory(school=cast.school_a)
    day = year.start_date + datetime.timedelta(days=20)
    ActivityEntryFactory(person=person, minutes=90, date=day)
    ActivityEntryFactory(
        person=cast.referent_person, minutes=45, date=day, mission=Mission.objects.get(code="training")
    )
    ActivityEntryFactory(person=person, minutes=600, date=year.start_date - datetime.timedelta(days=1))
    ActivityEntryFactory(person=PersonFactory(school=cast.school_c), minutes=120, date=day)  # another académie


def rows_by_uai(cast):
    return {s.uai: s for s in selectors.school_rows([cast.dijon.pk], cast.school_year)}


def test_school_rows_give_state_coverage_blocking_and_referents(cast, plans):
    rows = rows_by_uai(cast)
    a, b = rows[cast.school_a.uai], rows[cast.school_b.uai]
    standard = selectors.standard_mission_count()
    assert (a.plan_state, a.blocking, a.referents) == ("draft", False, 1)
    assert a.held == Mission.objects.filter(kind="standard", requires_action="").count() < standard
    assert a.single_leaving == a.held  # Alice holds every row alone and leaves
    assert (b.plan_state, b.blocking, b.referents, b.held) == ("submitted", True, 0, 0)
    assert cast.school_c.uai not in rows  # another académie


def test_a_school_without_plan_is_counted_as_none_and_not_ok(cast):
    rows = rows_by_uai(cast)
    assert rows[cast.school_a.uai].plan_state == "none"
    total = selectors.figures([cast.dijon.pk], cast.school_year)["total"]
    assert (total["state_none"], total["all_ok"], total["no_referent"]) == (2, 0, 2)


def test_figures_by_departement_collectivity_and_kind(cast, plans):
    SchoolFactory(lycee=True, departement=cast.school_a.departement, collectivity=cast.cd21, commune="Beaune")
    figures = selectors.figures([cast.dijon.pk], cast.school_year)
    total = figures["total"]
    assert total["schools"] == 3
    assert (total["state_none"], total["state_draft"], total["state_submitted"]) == (1, 1, 1)
    assert total["all_ok"] == 1
    assert total["no_referent"] == 2
    assert total["referents"] == 1
    assert [g["departement__code"] for g in figures["departement"]] == ["21"]
    assert {g["kind"]: g["schools"] for g in figures["kind"]} == {"college": 2, "lycee": 1}
    assert [(g["collectivity__code"], g["schools"]) for g in figures["collectivity"]] == [("CD21", 3)]


def test_dashboard_page_shows_figures_and_a_text_alternative(client_for, cast, plans):
    response = client_for(cast.dane).get("/dane/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Toutes les règles bloquantes respectées" in html
    assert "rupn-bar--w50 rupn-state--draft" in html  # 1 of the 2 Côte-d'Or schools has a draft
    assert "Par département — cliquer un en-tête pour trier</caption>" in html
    assert "Victor Hugo" not in html


def test_rectorat_sees_the_same_dashboard_and_other_dane_sees_only_its_academie(client_for, cast, plans):
    assert "Côte-d&#x27;Or" in client_for(cast.rectorat).get("/dane/").content.decode()
    other = client_for(cast.dane_other).get("/dane/etablissements/").content.decode()
    assert cast.school_c.uai in other
    assert cast.school_a.uai not in other
    csv_other = b"".join(client_for(cast.dane_other).get("/dane/etablissements.csv").streaming_content).decode()
    assert cast.school_a.uai not in csv_other and cast.school_c.uai in csv_other
    dashboard_other = client_for(cast.dane_other).get("/dane/").content.decode()
    assert "Doubs" in dashboard_other and "Côte-d&#x27;Or" not in dashboard_other
    figures_other = selectors.figures([cast.besancon.pk], cast.school_year)["total"]
    assert figures_other["schools"] == 1


def test_school_rows_give_imp_totals_envelope_review_and_hours(cast, imp_and_activity):
    rows = rows_by_uai(cast)
    a, b = rows[cast.school_a.uai], rows[cast.school_b.uai]
    assert (a.imp_proposed, a.imp_validated, a.envelope) == (Decimal("3750.00"), Decimal("1250.00"), Decimal("3750"))
    assert (a.review_done, a.minutes) == (True, 135)
    assert (b.imp_proposed, b.imp_validated, b.envelope) == (0, 0, Decimal("2500"))
    assert (b.review_done, b.minutes) == (False, 0)


def test_figures_give_imp_against_envelopes_reviews_and_hours(cast, imp_and_activity):
    figures = selectors.figures([cast.dijon.pk], cast.school_year)
    total = figures["total"]
    assert (total["imp_proposed"], total["imp_validated"]) == (Decimal("3750.00"), Decimal("1250.00"))
    assert total["envelopes"] == Decimal("6250.00")
    assert (total["reviews_done"], total["reviews_missing"], total["minutes"]) == (1, 1, 135)
    assert [(g["kind"], g["minutes"], g["envelopes"]) for g in figures["kind"]] == [("college", 135, Decimal("6250"))]


def test_hours_by_mission_count_this_years_entries_of_the_academie(cast, imp_and_activity):
    entries = selectors.figures([cast.dijon.pk], cast.school_year)["missions"]
    assert [(e["mission_label"], e["kind"], e["minutes"]) for e in entries] == [
        ("Accompagner l'équipe pédagogique", "college", 90),
        ("Se former", "college", 45),
    ]


def test_a_recorded_ca_opinion_is_the_plan_state(cast, plans):
    BoardOpinion.objects.create(
        school=cast.school_b,
        school_year=cast.school_year,
        body="ca",
        date=datetime.date.today(),
        opinion="favorable",
        plan_version=plans[1].version,
    )
    assert rows_by_uai(cast)[cast.school_b.uai].plan_state == "ca_opinion"
    total = selectors.figures([cast.dijon.pk], cast.school_year)["total"]
    assert (total["state_ca_opinion"], total["state_submitted"], total["state_draft"]) == (1, 0, 1)


def test_a_ca_opinion_on_an_earlier_version_of_the_plan_is_counted_apart(client_for, cast, plans):
    BoardOpinion.objects.create(
        school=cast.school_b,
        school_year=cast.school_year,
        body="ca",
        date=datetime.date.today(),
        opinion="favorable",
        plan_version=plans[1].version,
    )
    plan_reopen(plan=plans[1], by=cast.principal_b)  # "Modifier le plan soumis": the plan changed after the opinion
    assert rows_by_uai(cast)[cast.school_b.uai].plan_state == "ca_opinion_earlier"
    total = selectors.figures([cast.dijon.pk], cast.school_year)["total"]
    assert (total["state_ca_opinion"], total["state_ca_opinion_earlier"], total["state_draft"]) == (0, 1, 1)
    html = client_for(cast.dane).get("/dane/").content.decode()
    assert "Avis du CA rendu sur une version antérieure" in html


def test_dashboard_shows_imp_reviews_and_hours_with_text_alternatives(client_for, cast, imp_and_activity):
    html = client_for(cast.dane).get("/dane/").content.decode()
    assert "1\u00a0250,00\u00a0€ / 6\u00a0250,00\u00a0€ (20 %)" in html  # validated against the envelopes
    assert "20 % des enveloppes (6\u00a0250,00\u00a0€)" in html
    assert '<strong class="fr-h5">2,3\u00a0h</strong>' in html  # hours logged this year
    assert "Accompagner l&#x27;équipe pédagogique" in html  # hours by mission


def test_hours_are_french_with_one_decimal():
    assert [format_hours(m) for m in (0, 135, 74100)] == ["0,0\u00a0h", "2,3\u00a0h", "1\u00a0235,0\u00a0h"]


def test_no_review_filter_combines_with_the_others(client_for, cast, imp_and_activity):
    client = client_for(cast.dane)
    html = client.get("/dane/etablissements/", {"no_review": "on", "departement": "21"}).content.decode()
    assert cast.school_b.uai in html and cast.school_a.uai not in html
    assert "no_review=on" in html  # kept in the export links
    html = client.get("/dane/etablissements/", {"no_review": "on", "plan_state": "draft"}).content.decode()
    assert "<strong>0</strong>" in html
    html = client.get("/dane/etablissements/", {"departement": "21"}).content.decode()
    assert "3\u00a0750,00\u00a0€" in html and "2,3\u00a0h" in html


def test_csv_and_xlsx_have_imp_review_and_hours_columns(client_for, cast, imp_and_activity):
    client = client_for(cast.dane)
    body = b"".join(client.get("/dane/etablissements.csv").streaming_content).decode("utf-8")
    rows = {r[0]: r for r in csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";")}
    assert rows["UAI"][11:16] == ["IMP proposées (€)", "IMP validées (€)", "Enveloppe IMP (€)", "Point d'étape fait",
                                  "Heures d'activité"]  # fmt: skip
    assert rows[cast.school_a.uai][11:16] == ["3750,00", "1250,00", "3750,00", "oui", "2,25"]
    assert rows[cast.school_b.uai][11:16] == ["0,00", "0,00", "2500,00", "non", "0,00"]
    response = client.get("/dane/etablissements.xlsx")
    sheet = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("xl/worksheets/sheet1.xml")
    assert b"<v>3750</v>" in sheet and b"<v>2.25</v>" in sheet


def test_table_and_exports_show_the_means_given_to_the_referents(client_for, cast, plans):
    SchoolMeansFactory(school=cast.school_a, school_year=cast.school_year, phone=True, office=True)
    last_year = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year - 1)[0]
    SchoolMeansFactory(school=cast.school_b, school_year=last_year, phone=True)  # another year: not shown
    client = client_for(cast.dane)
    html = client.get("/dane/etablissements/").content.decode()
    row_a = html[html.index(cast.school_a.name) : html.index("</tr>", html.index(cast.school_a.name))]
    row_b = html[html.index(cast.school_b.name) : html.index("</tr>", html.index(cast.school_b.name))]
    assert "2 sur 5" in row_a
    assert "non renseignés" in row_b
    body = b"".join(client.get("/dane/etablissements.csv").streaming_content).decode("utf-8")
    rows = {r[0]: r for r in csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";")}
    assert rows["UAI"][-1] == "Moyens donnés aux référents (sur 5)"
    assert (rows[cast.school_a.uai][-1], rows[cast.school_b.uai][-1]) == ("2", "")


def test_figures_agree_with_the_tables_rows(cast):
    """The figures' hand-written SQL and the table's ORM subqueries count the same things on mixed data."""
    make_schools(cast, 12)
    rows = list(selectors.school_rows([cast.dijon.pk], cast.school_year))
    total = selectors.figures([cast.dijon.pk], cast.school_year)["total"]
    expected = {
        "schools": len(rows),
        **{f"state_{s}": sum(r.plan_state == s for r in rows) for s, _label in selectors.PLAN_STATES},
        "all_ok": sum(r.plan_state != "none" and not r.blocking for r in rows),
        "no_referent": sum(r.referents == 0 for r in rows),
        "single_leaving": sum(r.single_leaving for r in rows),
        "referents": sum(r.referents for r in rows),
        "imp_proposed": sum(r.imp_proposed for r in rows),
        "imp_validated": sum(r.imp_validated for r in rows),
        "envelopes": sum(r.envelope or 0 for r in rows),
        "reviews_done": sum(r.review_done for r in rows),
        "minutes": sum(r.minutes for r in rows),
    }
    assert {k: total[k] for k in expected} == expected
    assert total["imp_validated"] > 0 and total["minutes"] > 0 and 0 < total["reviews_done"] < len(rows)
    assert total["state_ca_opinion"] > 0 and total["single_leaving"] > 0


@pytest.mark.parametrize("user", ["principal_a", "referent_a", "collectivity_a"])
def test_school_roles_and_collectivities_cannot_open_the_dashboard(client_for, cast, user):
    for url in ("/dane/", "/dane/etablissements/", "/dane/etablissements.csv", "/dane/etablissements.xlsx"):
        assert client_for(getattr(cast, user)).get(url).status_code == 403


def test_table_filters_combine_and_stay_in_the_links(client_for, cast, plans):
    other_dep = DepartementFactory(code="89", name="Yonne", academie=cast.dijon)
    SchoolFactory(lycee=True, name="Lycée Yonne", departement=other_dep, collectivity=cast.cd21, commune="Sens")
    client = client_for(cast.dane)
    html = client.get("/dane/etablissements/", {"departement": "21", "kind": "college"}).content.decode()
    assert cast.school_a.uai in html and cast.school_b.uai in html and "Lycée Yonne" not in html
    assert "departement=21&amp;kind=college" in html  # exports keep the filters
    html = client.get("/dane/etablissements/", {"plan_state": "submitted"}).content.decode()
    assert cast.school_b.uai in html and cast.school_a.uai not in html
    html = client.get("/dane/etablissements/", {"blocking": "on"}).content.decode()
    assert cast.school_b.uai in html and cast.school_a.uai not in html
    html = client.get("/dane/etablissements/", {"q": "sens"}).content.decode()
    assert "Lycée Yonne" in html and cast.school_a.uai not in html
    html = client.get("/dane/etablissements/", {"q": cast.school_a.uai.lower()}).content.decode()
    assert f"/etablissements/{cast.school_a.uai}/" in html and cast.school_b.uai not in html


def test_table_sorts_by_coverage(client_for, cast, plans):
    html = client_for(cast.dane).get("/dane/etablissements/", {"sort": "-coverage"}).content.decode()
    assert html.index(cast.school_a.uai) < html.index(cast.school_b.uai)
    html = client_for(cast.dane).get("/dane/etablissements/", {"sort": "coverage"}).content.decode()
    assert html.index(cast.school_b.uai) < html.index(cast.school_a.uai)


def test_table_paginates(client_for, cast):
    SchoolFactory.create_batch(60, departement=cast.school_a.departement, collectivity=cast.cd21)
    client = client_for(cast.dane)
    first = client.get("/dane/etablissements/", {"kind": "college"}).content.decode()
    assert "<strong>62</strong>" in first and 'title="Page 2"' in first and "kind=college&amp;page=2" in first
    second = client.get("/dane/etablissements/", {"kind": "college", "page": 2}).content.decode()
    assert second.count("<tr>") == 1 + 12


def test_csv_export_has_bom_semicolons_and_the_filters(client_for, cast, plans):
    response = client_for(cast.dane).get("/dane/etablissements.csv", {"plan_state": "draft"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith("\ufeffUAI;Nom;Commune")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == [cast.school_a.uai]
    assert rows[1][6] == "Brouillon" and rows[1][8] == "non" and rows[1][10] == "1"


def test_xlsx_export_is_a_workbook_with_the_filtered_rows(client_for, cast, plans):
    response = client_for(cast.rectorat).get("/dane/etablissements.xlsx", {"plan_state": "submitted"})
    assert response.status_code == 200
    workbook = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    strings = workbook.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in workbook.namelist() else ""
    assert cast.school_b.uai in sheet + strings
    assert cast.school_a.uai not in sheet + strings


def make_schools(cast, count):
    """Schools with, in turn: a plan (some with a CA opinion), an envelope and awards, a review, activity."""
    year = cast.school_year
    day = year.start_date + datetime.timedelta(days=30)
    for n in range(count):
        school = SchoolFactory(
            departement=cast.school_a.departement, collectivity=cast.cd21, kind=School.Kind.COLLEGE, name=f"École {n}"
        )
        if n % 3 == 0:
            plan = plan_get_or_create(school=school, school_year=year)
            people = [PersonFactory(school=school, leaving=n % 2 == 0)]
            hold_every_row(plan, people)
            if n % 9 == 0:
                BoardOpinion.objects.create(
                    school=school,
                    school_year=year,
                    body="ca",
                    date=day,
                    opinion=BoardOpinion.Opinion.FAVORABLE,
                    plan_version=plan.version if n % 18 == 0 else 0,  # some given on an earlier version
                )
        if n % 2 == 0:
            EnvelopeFactory(school=school, school_year=year, amount=Decimal("5000.00"))
            ImpAwardFactory(school=school, school_year=year, validated=True)
            ImpAwardFactory(school=school, school_year=year, proposed=True, rate=imp_rate("625"))
        if n % 4 == 0:
            ReviewFactory(school=school, school_year=year, done=n % 8 == 0)
        if n % 5 == 0:
            ActivityEntryFactory(person=PersonFactory(school=school), minutes=30 + n, date=day)


# Session, user, roles, académies and school year (5) come first on each page.
EXPECTED_QUERIES = {
    "/dane/": 5 + 1 + 1 + 1,  # the figures, hours by mission included (one statement); the map's points; the header's
    # schools
    "/dane/carte.json": 5 + 1,  # the map's points
    # form choices (2), count, the page's ids, the page's rows, catalogue size, header
    "/dane/etablissements/": 5 + 2 + 3 + 1 + 1,
    "/dane/etablissements.csv": 5 + 2 + 1 + 1,  # form choices (2), catalogue size, the rows
    "/dane/etablissements.xlsx": 5 + 2 + 1 + 1,
}


@pytest.mark.parametrize("url", EXPECTED_QUERIES)
@pytest.mark.parametrize("schools", [10, 200])
def test_query_count_does_not_grow_with_schools(client_for, cast, url, schools):
    make_schools(cast, schools)
    client = client_for(cast.dane)
    client.get("/dane/")  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        if url.endswith(".csv"):
            lines = b"".join(response.streaming_content).decode().count("\n")
            assert lines == 1 + schools + 2
        elif url.endswith(".xlsx"):
            sheet = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("xl/worksheets/sheet1.xml")
            assert sheet.count(b"<row ") == 1 + schools + 2
    assert len(queries) == EXPECTED_QUERIES[url], [q["sql"] for q in queries]
