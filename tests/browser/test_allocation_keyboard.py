"""A principal fills the allocation table with the keyboard alone: Tab, Shift+Tab, Space, Enter, typing.

No click, no fill(), no select_option(): every step is a key press (people are ticked with Space, or found by
typing in a list's search field and ticked with Enter; a tag's button removes a person), and after each one the focused element
must show a visible focus ring, inside the viewport, not hidden under the sticky action bar.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from missions.services import plan_get_or_create
from tests.browser.a11y import assert_accessible
from tests.conftest import PASSWORD
from tests.factories import PersonFactory


@pytest.fixture(autouse=True)
def _started_table(cast):
    """The principal has started the year's table ("Partir d'un tableau vide"): the page opens on it."""
    plan_get_or_create(school=cast.school_a, school_year=cast.school_year)


FOCUS_PROBLEM = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) { return "nothing has the focus"; }
    if (!el.matches(":focus-visible")) { return "focus not visible (:focus-visible) on " + el.outerHTML.slice(0, 120); }
    const ring = (node, pseudo) => {
        const style = getComputedStyle(node, pseudo);
        return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
    };
    const label = el.id && document.querySelector(`label[for="${el.id}"]`);
    // The DSFR draws some rings elsewhere: on a checkbox's label, on a link's ::before, on a card around a link.
    const custom = (el.matches("input[type=checkbox], input[type=radio]") && label && ring(label, "::before"))
        || ring(el, "::before") || ring(el, "::after")
        || [el.parentElement, el.parentElement?.parentElement].some(node => node && node.matches(":focus-within") && ring(node));
    if (!ring(el) && !custom) { return "no focus ring on " + el.outerHTML.slice(0, 120); }
    const box = el.getBoundingClientRect();
    const x = box.left + Math.min(box.width / 2, 16), y = box.top + Math.min(box.height / 2, 12);
    if (y < 0 || y > window.innerHeight || x < 0 || x > window.innerWidth) { return "focused element out of view"; }
    const top = document.elementFromPoint(x, y);
    if (top && top !== el && !el.contains(top) && !(label && label.contains(top))) {
        return "focused element covered by " + top.outerHTML.slice(0, 120);
    }
    return "";
}"""


def assert_focus_visible(page: Page) -> None:
    problem = page.evaluate(FOCUS_PROBLEM)
    assert not problem, problem


def focused_key(page: Page) -> str:
    return page.evaluate(
        "() => { const el = document.activeElement; return el.id || el.name || el.textContent.trim(); }"
    )


def press_until_focused(page: Page, target: Locator, key: str = "Tab", limit: int = 600) -> list[str]:
    """Press key until target has the focus, checking the focus is visible at each step; the keys passed by."""
    passed = []
    element = target.element_handle()
    for _ in range(limit):
        if element.evaluate("el => el === document.activeElement"):
            return passed
        page.keyboard.press(key)
        assert_focus_visible(page)
        passed.append(focused_key(page))
    raise AssertionError(f"{key} never reached {target}; passed {passed[-10:]}")


def row(page: Page, label: str) -> Locator:
    return page.get_by_role("group", name=re.compile("^" + re.escape(label)))


def people_list(page: Page, label: str) -> Locator:
    return row(page, label).get_by_role("group", name=re.compile("^Responsables"))


def person(page: Page, label: str, name: str) -> Locator:
    return people_list(page, label).get_by_role("checkbox", name=re.compile("^" + re.escape(name)))


def search(page: Page, label: str) -> Locator:
    return row(page, label).get_by_role("searchbox", name="Rechercher une personne")


def selection(page: Page, label: str) -> Locator:
    return row(page, label).locator(".rupn-selection")


def tags(page: Page, label: str) -> Locator:
    return selection(page, label).get_by_role("button")


def messages(page: Page, label: str) -> Locator:
    return row(page, label).locator(".rupn-rule-messages")


@pytest.fixture
def staff(transactional_db, cast):
    # In the list's order: DUPONT Alice, DURAND Bruno, RÉFÉRENT Romain, then the Claudes.
    PersonFactory(school=cast.school_a, last_name="Dupont", first_name="Alice")
    PersonFactory(school=cast.school_a, last_name="Durand", first_name="Bruno")
    # Enough people for the lists to get their search field (from 8 people), all after RÉFÉRENT Romain.
    for last_name in ("Simon", "Thomas", "Vidal", "Weber", "Xavier"):
        PersonFactory(school=cast.school_a, last_name=last_name, first_name="Claude")


def test_principal_fills_the_allocation_table_with_the_keyboard_only(page: Page, cast, staff, screenshots_dir):
    page.goto("/connexion/")
    expect(page.get_by_label("Adresse électronique")).to_be_focused()
    page.keyboard.type(cast.principal_a.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(cast.school_a.name)

    press_until_focused(page, page.get_by_role("link", name=f"Année {cast.school_year.name}"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Répartition des missions")

    # The Tab order through the form is the order of the page: each row's fields, row after row, then the buttons
    # (a row the collectivité has not authorized has its list of people disabled, out of the Tab order).
    form = page.locator("#allocation-form")
    in_page_order = form.evaluate(
        """form => [...form.querySelectorAll(
            "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), button")]
            .map(el => el.id || el.name || el.textContent.trim())"""
    )
    press_until_focused(page, page.get_by_label("L'établissement a des tablettes à administrer"))
    tabbed = [focused_key(page), *press_until_focused(page, page.get_by_role("button", name="Soumettre au conseil"))]
    assert tabbed == in_page_order

    # Shift+Tab back up to the first row; a person found by typing, ticked with Enter.
    press_until_focused(page, search(page, "Accompagner l'équipe pédagogique"), key="Shift+Tab")
    expect(selection(page, "Accompagner l'équipe pédagogique")).to_have_text("Sélection : aucune personne")
    page.keyboard.type("dup")
    page.keyboard.press("Enter")
    expect(tags(page, "Accompagner l'équipe pédagogique")).to_have_text(["DUPONT Alice"])
    expect(person(page, "Accompagner l'équipe pédagogique", "DURAND Bruno")).to_be_hidden()  # filtered out

    # Tab through the boxes, Space ticks.
    press_until_focused(page, person(page, "Conseiller le chef d'établissement", "DUPONT Alice"))
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(tags(page, "Conseiller le chef d'établissement")).to_have_text(["DUPONT Alice", "DURAND Bruno"])

    # Two people for "Communiquer": the rule message appears beside the row and is announced.
    communicate = people_list(page, "Communiquer")
    press_until_focused(page, search(page, "Communiquer"))
    page.keyboard.type("alice")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+A")
    page.keyboard.type("referent")  # accents ignored
    page.keyboard.press("Enter")
    expect(tags(page, "Communiquer")).to_have_text(["DUPONT Alice", "RÉFÉRENT Romain"])
    expect(messages(page, "Communiquer")).to_contain_text(
        "Bloquant : « Communiquer » demande une seule personne : 2 sont désignées."
    )
    expect(messages(page, "Communiquer")).to_have_attribute("aria-live", "polite")
    region_id = messages(page, "Communiquer").get_attribute("id")
    assert region_id in communicate.get_attribute("aria-describedby").split()
    assert_accessible(page)  # with rule messages shown

    # The tag's button removes the person; the focus goes back to the person's box.
    press_until_focused(page, tags(page, "Communiquer").first)
    page.keyboard.press("Enter")
    expect(tags(page, "Communiquer")).to_have_text(["RÉFÉRENT Romain"])
    expect(person(page, "Communiquer", "DUPONT Alice")).to_be_focused()
    expect(messages(page, "Communiquer")).to_be_empty()

    organisation = row(page, "Communiquer").get_by_label("Organisation retenue")
    press_until_focused(page, organisation)
    page.keyboard.press("Control+A")
    page.keyboard.type("Romain est le contact de la DANE.")
    expect(row(page, "Communiquer").locator(".rupn-counter").first).to_have_text(
        re.compile(r"^33 / 2\s?000 caractères$")
    )

    press_until_focused(page, search(page, "Lien avec collectivité"))
    page.keyboard.type("durand")
    page.keyboard.press("Enter")
    expect(tags(page, "Lien avec collectivité")).to_have_text(["DURAND Bruno"])

    press_until_focused(page, search(page, "ENT — administrateur"))
    page.keyboard.type("romain")
    page.keyboard.press("Enter")
    expect(tags(page, "ENT — administrateur")).to_have_text(["RÉFÉRENT Romain"])

    summary = page.locator("#blocking-summary")
    expect(summary).to_have_attribute("aria-live", "polite")
    expect(summary).to_have_text("Aucune règle bloquante : le plan peut être soumis.")

    press_until_focused(page, page.get_by_role("button", name="Enregistrer le brouillon"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Le brouillon est enregistré.")).to_be_visible()
    expect(row(page, "Communiquer").get_by_label("Organisation retenue")).to_have_value(
        "Romain est le contact de la DANE."
    )
    expect(tags(page, "Conseiller le chef d'établissement")).to_have_text(["DUPONT Alice", "DURAND Bruno"])

    press_until_focused(page, page.get_by_role("button", name="Soumettre au conseil d'administration"))
    page.keyboard.press("Space")
    expect(page.get_by_text("Le plan a été soumis au conseil d'administration.")).to_be_visible()
    expect(page.locator(".fr-badge").first).to_have_text("Soumis au conseil d'administration")
    assert_accessible(page)
