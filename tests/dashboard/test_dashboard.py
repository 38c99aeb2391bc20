"""The DANE's dashboard, its table of schools and exports: figures, filters, scope and query counts."""

import csv
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import selectors
from missions.models import AllocationPlan, Mission
from missions.services import plan_get_or_create
from schools.models import School
from tests.factories import DepartementFactory, PersonFactory, SchoolFactory


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
    assert "rupn-bar--w50" in html  # 1 of the 2 Côte-d'Or schools
    assert "<caption>Par département — chiffres détaillés</caption>" in html
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
    assert "<strong>62</strong>" in first and "1 / 2" in first and "kind=college&amp;page=2" in first
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
    people = []
    for n in range(count):
        school = SchoolFactory(
            departement=cast.school_a.departement, collectivity=cast.cd21, kind=School.Kind.COLLEGE, name=f"École {n}"
        )
        if n % 3 == 0:
            plan = plan_get_or_create(school=school, school_year=cast.school_year)
            people = [PersonFactory(school=school, leaving=n % 2 == 0)]
            hold_every_row(plan, people)


# Session, user, roles, académies and school year (5) come first on each page.
EXPECTED_QUERIES = {
    "/dane/": 5 + 1 + 1,  # the figures (one grouped query); the header's schools
    "/dane/etablissements/": 5 + 2 + 2 + 1 + 1,  # form choices (2), count + page, catalogue size, header
    "/dane/etablissements.csv": 5 + 2 + 1 + 1,  # form choices (2), catalogue size, the rows
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
    assert len(queries) == EXPECTED_QUERIES[url], [q["sql"] for q in queries]
