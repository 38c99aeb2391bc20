"""A DANE staff member filters the académie's table in Chromium and downloads it as CSV."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.a11y import assert_accessible, log_in
from tests.factories import (
    ActivityEntryFactory,
    DepartementFactory,
    EnvelopeFactory,
    PersonFactory,
    ReviewFactory,
    SchoolFactory,
)


def test_dane_filters_by_departement_and_kind_then_downloads_the_csv(page: Page, base_url, transactional_db, cast):
    yonne = DepartementFactory(code="89", name="Yonne", academie=cast.dijon)
    colleges = SchoolFactory.create_batch(3, departement=yonne, collectivity=cast.cd21, commune="Sens")
    SchoolFactory(lycee=True, departement=yonne, collectivity=cast.cd21, commune="Auxerre")
    EnvelopeFactory(school=colleges[0], school_year=cast.school_year, amount=Decimal("1250.00"))
    ReviewFactory(school=colleges[1], school_year=cast.school_year, done=True)
    day = cast.school_year.start_date + datetime.timedelta(days=20)
    ActivityEntryFactory(person=PersonFactory(school=colleges[2]), minutes=90, date=day)
    log_in(page, base_url, cast.dane)

    assert_accessible(page, "/dane/")  # with every part filled: tiles, bars, comparison tables
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord de l'académie")
    expect(page.locator("main")).to_contain_text("6 établissements")
    expect(page.locator("#tile-imp_validated")).to_contain_text("0 % des enveloppes (1\u00a0250,00\u00a0€)")
    expect(page.locator("#tile-reviews_done")).to_contain_text("1sur 6 établissements")
    expect(page.get_by_role("heading", name="Heures d'activité par mission")).to_be_visible()
    expect(page.locator("#heures-par-mission")).to_contain_text("Accompagner l'équipe pédagogique")
    expect(page.locator("#tile-minutes")).to_contain_text("1,5\u00a0h")
    page.get_by_role("link", name="Voir le tableau des établissements").click()

    page.get_by_label("Département").select_option("89")
    page.get_by_label("Type d'établissement").select_option("college")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("#school-count")).to_contain_text("3 établissement(s)")
    assert "departement=89" in page.url and "kind=college" in page.url
    expect(page.get_by_label("Département")).to_have_value("89")
    page.get_by_text("Seulement les établissements sans point d'étape fait").click()
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("#school-count")).to_contain_text("2 établissement(s)")
    assert "departement=89" in page.url and "no_review=on" in page.url

    with page.expect_download() as download_info:
        page.locator("#export-csv").click()
    download = download_info.value
    assert download.suggested_filename == f"etablissements-{cast.school_year.name}.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 1 + 2
    assert {row[2] for row in rows[1:]} == {"Sens"}
    columns = rows[0]
    assert {row[columns.index("Point d'étape fait")] for row in rows[1:]} == {"non"}
    assert sorted(row[columns.index("Enveloppe IMP (€)")] for row in rows[1:]) == ["", "1250,00"]
    assert sorted(row[columns.index("Heures d'activité")] for row in rows[1:]) == ["0,00", "1,50"]
