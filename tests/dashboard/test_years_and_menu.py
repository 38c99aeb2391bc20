"""The dashboard's school-year picker (kept in ?annee=, never creating a year) and its main-menu entries."""

import csv
import io

from missions.services import plan_get_or_create
from schools.models import SchoolYear


def next_year(cast):
    return SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year + 1)[0]


def test_dane_and_rectorat_have_menu_entries_others_do_not(client_for, cast):
    for user in (cast.dane, cast.rectorat):
        html = client_for(user).get("/").content.decode()
        assert 'class="fr-nav__link" href="/dane/">Tableau de bord</a>' in html
        assert 'class="fr-nav__link" href="/dane/etablissements/">Établissements</a>' in html
    for user in (cast.principal_a, cast.referent_a, cast.collectivity_a):
        html = client_for(user).get("/").content.decode()
        assert 'href="/dane/">Tableau de bord' not in html


def test_the_dashboard_offers_next_and_past_years_and_applies_the_one_asked(client_for, cast):
    upcoming = next_year(cast)
    SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year - 1)
    plan_get_or_create(school=cast.school_a, school_year=upcoming)
    client = client_for(cast.dane)
    html = client.get("/dane/").content.decode()
    assert f'<option value="{cast.school_year.name}" selected>' in html
    assert f'<option value="{upcoming.name}">' in html
    assert f'<option value="{cast.school_year.start_year - 1}-{cast.school_year.start_year}">' in html
    assert "rupn-bar--w0 rupn-state--draft" in html  # no draft this year
    html = client.get("/dane/", {"annee": upcoming.name}).content.decode()
    assert f'<option value="{upcoming.name}" selected>' in html
    assert "rupn-bar--w50 rupn-state--draft" in html  # 1 of the 2 schools has next year's draft
    assert f'href="/dane/etablissements/?annee={upcoming.name}"' in html


def test_the_table_and_exports_follow_the_year_in_the_url(client_for, cast):
    upcoming = next_year(cast)
    plan_get_or_create(school=cast.school_a, school_year=upcoming)
    client = client_for(cast.dane)
    html = client.get("/dane/etablissements/", {"annee": upcoming.name, "plan_state": "draft"}).content.decode()
    assert cast.school_a.uai in html and cast.school_b.uai not in html
    assert f"annee={upcoming.name}" in html  # kept in the export links
    html = client.get("/dane/etablissements/", {"plan_state": "draft"}).content.decode()
    assert cast.school_a.uai not in html
    response = client.get("/dane/etablissements.csv", {"annee": upcoming.name, "plan_state": "draft"})
    assert response["Content-Disposition"].endswith(f'etablissements-{upcoming.name}.csv"')
    body = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == [cast.school_a.uai]


def test_an_unknown_or_malformed_year_is_a_404_and_creates_nothing(client_for, cast):
    client = client_for(cast.dane)
    before = SchoolYear.objects.count()
    for url in ("/dane/", "/dane/etablissements/", "/dane/etablissements.csv"):
        for asked in ("1990-1991", f"{cast.school_year.start_year + 2}-{cast.school_year.start_year + 3}", "2026"):
            assert client.get(url, {"annee": asked}).status_code == 404
    assert SchoolYear.objects.count() == before
