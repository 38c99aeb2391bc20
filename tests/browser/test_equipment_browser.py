"""A referent orders the equipment requests with the keyboard only, then sends them; the collectivité answers."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.factories import EquipmentRequestFactory


def login(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


@pytest.fixture
def requests(transactional_db, cast):
    return [
        EquipmentRequestFactory(school=cast.school_a, school_year=cast.school_year, item=item, priority=n)
        for n, item in enumerate(["Tablettes", "Vidéoprojecteur", "Casques"], start=1)
    ]


def item_order(page: Page) -> list[str]:
    return page.locator("tbody th[scope=row]").all_inner_texts()


def test_referent_reorders_with_the_keyboard_sends_and_reads_the_answer(page: Page, cast, requests, screenshots_dir):
    login(page, cast.referent_a.email)
    page.goto(f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/equipements/")
    assert item_order(page) == ["Tablettes", "Vidéoprojecteur", "Casques"]

    page.get_by_role("button", name="Monter Casques").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("« Casques » a changé de rang.")).to_be_visible()
    assert item_order(page) == ["Tablettes", "Casques", "Vidéoprojecteur"]
    page.get_by_role("button", name="Monter Casques").focus()
    page.keyboard.press("Space")
    expect(page.locator("tbody th[scope=row]").first).to_have_text("Casques")

    page.get_by_role("button", name="Envoyer les demandes en préparation").click()
    expect(page.get_by_text("3 demande(s) envoyée(s)")).to_be_visible()
    page.screenshot(path=screenshots_dir / "equipment-sent.png", full_page=True)

    login(page, cast.collectivity_a.email)
    page.goto(f"/collectivite/CD21/{cast.school_year.name}/equipements/")
    assert item_order(page) == ["Casques", "Tablettes", "Vidéoprojecteur"]
    form = page.locator(f"#answer-{requests[2].pk}")
    form.get_by_label("Réponse").select_option("refused")
    form.get_by_label("Motif ou commentaire").fill("Budget épuisé")
    form.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.get_by_text("Réponse enregistrée pour « Casques »")).to_be_visible()

    login(page, cast.referent_a.email)
    page.goto(f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/equipements/")
    expect(page.locator(f"#request-{requests[2].pk}")).to_contain_text("Refusée")
    expect(page.locator(f"#request-{requests[2].pk}")).to_contain_text("Budget épuisé")
