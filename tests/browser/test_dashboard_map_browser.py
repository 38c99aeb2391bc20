"""A DANE adviser opens the dashboard from the menu, switches to next year and clicks a département on the map
(no tile server: the outlines ship with the app) to land on the table filtered on it."""

from decimal import Decimal

from playwright.sync_api import Page, expect

from missions.services import plan_get_or_create
from schools.models import SchoolYear
from tests.browser.a11y import assert_accessible, log_in
from tests.factories import DepartementFactory, SchoolFactory


def test_dane_opens_the_dashboard_switches_year_and_clicks_a_departement(
    page: Page, base_url, transactional_db, cast, screenshots_dir
):
    upcoming = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year + 1)[0]
    yonne = DepartementFactory(code="89", name="Yonne", academie=cast.dijon)
    sens = SchoolFactory(departement=yonne, collectivity=cast.cd21, name="Collège de Sens", commune="Sens")
    places = {
        cast.school_a: ("47.335023", "5.018110"),
        cast.school_b: ("47.129794", "4.488700"),
        sens: ("48.1975", "3.2833"),
    }
    for school, (lat, lon) in places.items():
        school.latitude, school.longitude = Decimal(lat), Decimal(lon)
        school.save()
    plan_get_or_create(school=sens, school_year=upcoming)
    log_in(page, base_url, cast.dane)

    page.goto(f"{base_url}/")
    page.locator("#fr-navigation").get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord de l'académie")
    page.get_by_label("Année scolaire").select_option(upcoming.name)
    page.get_by_role("button", name="Afficher").click()
    assert f"annee={upcoming.name}" in page.url
    expect(page.locator("#carte-etablissements .rupn-state--draft")).to_have_count(1)  # Sens's plan for next year
    assert_accessible(page)
    page.screenshot(path=screenshots_dir / "dashboard.png", full_page=True)
    page.locator("#cartes").screenshot(path=screenshots_dir / "dashboard-map.png")

    page.locator('#carte-departements a[data-departement="89"] path').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Établissements de l'académie")
    assert "departement=89" in page.url and f"annee={upcoming.name}" in page.url
    expect(page.locator("#school-count")).to_contain_text("1 établissement(s)")
    expect(page.locator("#school-table")).to_contain_text("Collège de Sens")
    expect(page.get_by_label("Année scolaire")).to_have_value(upcoming.name)
    assert_accessible(page)
