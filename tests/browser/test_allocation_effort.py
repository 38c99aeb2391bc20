"""How much it takes to fill a table like the demo school's (issue 15: 34 clicks with the former list boxes).

The school has 15 people, as the demo's Collège Montchapet; the principal starts from an empty draft and enters
the demo's plan (demo/loader.py, _demo_school_plan, with the ENT administrator it lacks; AMON and accounts are
not authorized here): 10 people on 8 rows, two services (BRNE, Pearltrees) with their 3 people, then submits. The page counts what it receives (trusted mousedown and keydown events, kept across
the reload after the submission), so the figure is the page's, not the test's bookkeeping.
"""

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


COUNTER = """
(() => {
  const bump = (key) => sessionStorage.setItem(key, String(Number(sessionStorage.getItem(key) || 0) + 1));
  // A press of the mouse button (a click on a label also sends a click to its box: counting clicks would count
  // that one twice).
  document.addEventListener("mousedown", (e) => { if (e.isTrusted) { bump("rupn-clicks"); } }, true);
  document.addEventListener("keydown", (e) => { if (e.isTrusted) { bump("rupn-keys"); } }, true);
})();
"""
GOAL_CLICKS = 17  # half of 34


@pytest.fixture
def staff(transactional_db, cast):
    names = [
        ("Arnaud", "Karim"), ("Bernard", "Élodie"), ("Blanchard", "Noémie"), ("Bourgeois", "Chloé"),
        ("Brun", "Jean-Baptiste"), ("David", "Pauline"), ("Dufour", "Jean-Marc"), ("Garcia", "Mathieu"),
        ("Girard", "Sophie"), ("Legrand", "Laure"), ("Lemaire", "Mathieu"), ("Picard", "Marie-Laure"),
        ("Rivière", "Vincent"), ("Roussel", "Stéphane"),
    ]  # fmt: skip
    people = {last: PersonFactory(school=cast.school_a, last_name=last, first_name=first) for last, first in names}
    people["Garcia"].leaving = True
    people["Garcia"].save()
    return people


def row(page: Page, label: str):
    return page.get_by_role("group", name=re.compile("^" + re.escape(label)))


def tick(group, *names: str) -> None:
    """One click on each person's label (the DSFR draws the box inside it)."""
    for name in names:
        group.locator(".rupn-picker__list label", has_text=re.compile("^" + re.escape(name))).click()


def test_filling_a_table_like_the_demo_schools_takes_at_most_17_clicks(page: Page, cast, staff, screenshots_dir):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(cast.principal_a.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(cast.school_a.name)
    page.goto(f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/repartition/")
    page.add_init_script(COUNTER)
    page.reload()  # counting starts here
    expect(page.get_by_role("heading", level=1)).to_contain_text("Répartition des missions")

    referent = "RÉFÉRENT Romain"
    tick(row(page, "Accompagner l'équipe pédagogique"), referent, "ARNAUD Karim")
    tick(row(page, "Conseiller le chef d'établissement"), referent)
    tick(row(page, "Communiquer"), referent)
    tick(row(page, "Lien avec collectivité"), "ARNAUD Karim")
    tick(row(page, "Remontée des tickets"), "ARNAUD Karim", "BERNARD Élodie")
    tick(row(page, "ENT — administrateur"), referent)
    tick(row(page, "ENT — référent usages"), "BERNARD Élodie")
    tick(row(page, "Animation du site web"), "GARCIA Mathieu")
    services = page.get_by_role("group", name=re.compile("— nouveau service"))
    services.nth(0).get_by_label("Service pédagogique").click()
    page.keyboard.type("BRNE")
    tick(services.nth(0), referent)
    services.nth(1).get_by_label("Service pédagogique").click()
    page.keyboard.type("Pearltrees")
    tick(services.nth(1), "ARNAUD Karim", "BERNARD Élodie")
    expect(page.locator("#blocking-summary")).to_have_text("Aucune règle bloquante : le plan peut être soumis.")
    page.screenshot(path=screenshots_dir / "allocation-picker.png", full_page=True)

    page.get_by_role("button", name="Soumettre au conseil d'administration").click()
    expect(page.get_by_text("Le plan a été soumis au conseil d'administration.")).to_be_visible()

    clicks = int(page.evaluate("sessionStorage.getItem('rupn-clicks')"))
    keys = int(page.evaluate("sessionStorage.getItem('rupn-keys')"))
    print(f"\nallocation effort: {clicks} clicks, {keys} keystrokes (2 typed fields: BRNE, Pearltrees)")
    assert keys == len("BRNE") + len("Pearltrees")  # nothing but the two names typed
    assert clicks <= GOAL_CLICKS, clicks
