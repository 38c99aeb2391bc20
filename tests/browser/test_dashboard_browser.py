"""A DANE staff member filters the académie's table in Chromium and downloads it as CSV."""

import csv
import io
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.a11y import log_in
from tests.factories import DepartementFactory, SchoolFactory


def test_dane_filters_by_departement_and_kind_then_downloads_the_csv(page: Page, base_url, transactional_db, cast):
    yonne = DepartementFactory(code="89", name="Yonne", academie=cast.dijon)
    SchoolFactory.create_batch(3, departement=yonne, collectivity=cast.cd21, commune="Sens")
    SchoolFactory(lycee=True, departement=yonne, collectivity=cast.cd21, commune="Auxerre")
    log_in(page, base_url, cast.dane)

    page.goto("/dane/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord de l'académie")
    expect(page.locator("#dashboard-key-figures")).to_contain_text("Établissements : 6")
    page.get_by_role("link", name="Voir le tableau des établissements").click()

    page.get_by_label("Département").select_option("89")
    page.get_by_label("Type d'établissement").select_option("college")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("#school-count")).to_contain_text("3 établissement(s)")
    assert "departement=89" in page.url and "kind=college" in page.url
    expect(page.get_by_label("Département")).to_have_value("89")

    with page.expect_download() as download_info:
        page.locator("#export-csv").click()
    download = download_info.value
    assert download.suggested_filename == f"etablissements-{cast.school_year.name}.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 1 + 3
    assert {row[2] for row in rows[1:]} == {"Sens"}
