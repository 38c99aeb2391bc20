"""A principal fills the allocation table in a real Chromium, with the CSP on."""

import re

import pytest
from playwright.sync_api import Page, expect

from missions.services import plan_get_or_create
from tests.conftest import PASSWORD
from tests.factories import PersonFactory


@pytest.fixture(autouse=True)
def _started_table(cast):
    """The principal has started the year's table ("Partir d'un tableau vide"): the page opens on it."""
    plan_get_or_create(school=cast.school_a, school_year=cast.school_year)


@pytest.fixture
def people(transactional_db, cast):
    return {
        "alice": PersonFactory(school=cast.school_a, last_name="Dupont", first_name="Alice"),
        "bruno": PersonFactory(school=cast.school_a, last_name="Durand", first_name="Bruno"),
        "romain": cast.referent_person,
    }


def row(page: Page, label: str):
    return page.get_by_role("group", name=re.compile("^" + re.escape(label)))


def choose(page: Page, label: str, *people):
    """Tick exactly these people on the row (one click per box that changes: no Ctrl+click)."""
    wanted = {str(p.pk) for p in people}
    boxes = row(page, label).locator("input[type=checkbox][name$='-holders']")
    for index in range(boxes.count()):
        box = boxes.nth(index)
        if box.is_checked() != (box.get_attribute("value") in wanted):
            box.locator("xpath=following-sibling::label").click()


def test_principal_fills_checks_saves_and_submits_the_table(page: Page, cast, people, screenshots_dir):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(cast.principal_a.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(cast.school_a.name)

    page.get_by_role("link", name=f"Année {cast.school_year.name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Répartition des missions")

    choose(page, "Accompagner l'équipe pédagogique", people["alice"])
    choose(page, "Communiquer", people["alice"], people["romain"])
    communicate_messages = row(page, "Communiquer").locator(".rupn-rule-messages")
    expect(communicate_messages).to_contain_text("« Communiquer » demande une seule personne : 2 sont désignées.")
    expect(page.locator("#training-list")).to_have_text("Alice Dupont, Romain Référent")

    page.get_by_role("button", name="Soumettre au conseil d'administration").click()
    expect(page.locator(".rupn-messages")).to_contain_text("Désignez une personne pour « Lien avec collectivité »")
    expect(page.locator(".fr-badge").first).to_have_text("Brouillon")

    choose(page, "Communiquer", people["romain"])
    choose(page, "Conseiller le chef d'établissement", people["alice"], people["bruno"])
    choose(page, "Lien avec collectivité", people["bruno"])
    choose(page, "ENT — administrateur", people["romain"])
    row(page, "Communiquer").get_by_label("Organisation retenue").fill("Romain est le contact de la DANE.")
    expect(page.locator("#blocking-summary")).to_have_text("Aucune règle bloquante : le plan peut être soumis.")
    expect(communicate_messages).to_be_empty()

    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Le brouillon est enregistré.")).to_be_visible()
    expect(row(page, "Communiquer").get_by_label("Organisation retenue")).to_have_value(
        "Romain est le contact de la DANE."
    )

    page.get_by_role("button", name="Soumettre au conseil d'administration").click()
    expect(page.get_by_text("Le plan a été soumis au conseil d'administration.")).to_be_visible()
    expect(page.locator(".fr-badge").first).to_have_text("Soumis au conseil d'administration")
    page.screenshot(path=screenshots_dir / "allocation-table.png", full_page=True)
