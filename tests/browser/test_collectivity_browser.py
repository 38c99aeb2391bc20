"""The collectivité authorizes AMON and publishes a validated procedure; the principal's row opens with it."""

import pytest
from playwright.sync_api import Page, expect

from missions.services import plan_get_or_create
from tests.conftest import PASSWORD
from tests.factories import MINIMAL_PDF


def login(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


@pytest.fixture
def plan(transactional_db, cast):
    return plan_get_or_create(school=cast.school_a, school_year=cast.school_year)


def test_authorizing_amon_opens_the_row_with_its_procedure_sheet(page: Page, cast, plan, screenshots_dir, tmp_path):
    allocation = f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/repartition/"
    amon = page.get_by_role("group", name="Interface pédagogique AMON (selon collectivité)")
    login(page, cast.principal_a.email)
    page.goto(allocation)
    expect(amon.get_by_role("checkbox").first).to_be_disabled()  # the people picker is closed
    expect(amon).to_contain_text("qui ne l'a pas autorisée")

    login(page, cast.collectivity_a.email)
    expect(page).to_have_url("/")
    page.get_by_role("link", name="Espace collectivité").click()
    page.get_by_role("link", name="Actions autorisées et fiches de procédure").first.click()
    page.locator("#action-form").get_by_label("Action autorisée").select_option("amon")
    page.get_by_label("Référence de la convention").fill("CONV-21-2026")
    page.get_by_role("button", name="Publier l'autorisation").click()
    expect(page.get_by_text("L'action autorisée est publiée.")).to_be_visible()
    pdf = tmp_path / "AMON.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    sheet_form = page.locator("#sheet-form")
    sheet_form.get_by_label("Titre de la fiche").fill("Se connecter à AMON")
    sheet_form.get_by_label("Fiche de procédure (PDF)").set_input_files(pdf)
    sheet_form.get_by_role("button", name="Déposer la fiche").click()
    page.get_by_role("button", name="Valider Se connecter à AMON").click()
    expect(page.get_by_text("La fiche « Se connecter à AMON » est validée.")).to_be_visible()
    page.screenshot(path=screenshots_dir / "collectivity-actions.png", full_page=True)

    login(page, cast.principal_a.email)
    page.goto(allocation)
    expect(amon.get_by_role("checkbox").first).to_be_enabled()
    expect(amon.get_by_role("link", name="Se connecter à AMON")).to_be_visible()
    amon.screenshot(path=screenshots_dir / "allocation-amon-authorized.png")
