"""Two people on one plan, in two Chromium contexts: nobody loses anything (issue 15).

A changes "Lien avec collectivité" and saves; B, whose page still shows the old table, changes another row and
saves: both changes are kept. Then both change the same field: B is asked, sees both values, chooses, and the
chosen value is what is saved.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from missions.models import PlanRow
from missions.services import plan_get_or_create
from tests.browser.a11y import axe_violations, blocking_violations, describe
from tests.conftest import PASSWORD


def row(page: Page, label: str):
    return page.get_by_role("group", name=re.compile("^" + re.escape(label)))


def organisation(page: Page, label: str):
    return row(page, label).get_by_label("Organisation retenue")


def open_table(browser: Browser, base_url: str, user, url: str) -> Page:
    context = browser.new_context(base_url=base_url, locale="fr-FR")
    page = context.new_page()
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Répartition des missions")
    return page


def save(page: Page) -> None:
    page.get_by_role("button", name="Enregistrer le brouillon").click()


def saved_organisation(plan, code: str) -> str:
    return PlanRow.objects.get(plan=plan, mission__code=code).organisation


@pytest.mark.parametrize("choice", ["Votre saisie", "Enregistré par"])
def test_two_contexts_both_changes_kept_then_a_same_field_clash_asks_and_keeps_the_choice(
    browser: Browser, base_url, transactional_db, cast, screenshots_dir, choice
):
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    url = f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/repartition/"
    a = open_table(browser, base_url, cast.principal_a, url)
    b = open_table(browser, base_url, cast.principal_a, url)

    # Non-overlapping edits: both kept, and B's page then shows A's row.
    organisation(a, "Lien avec collectivité").fill("A : réunion mensuelle avec la collectivité")
    save(a)
    expect(a.get_by_text("Le brouillon est enregistré.")).to_be_visible()
    organisation(b, "Communiquer").fill("B : lettre d'information chaque trimestre")
    save(b)
    expect(b.get_by_text("Le brouillon est enregistré.")).to_be_visible()
    expect(organisation(b, "Lien avec collectivité")).to_have_value("A : réunion mensuelle avec la collectivité")
    assert saved_organisation(plan, "tools.collectivity_link") == "A : réunion mensuelle avec la collectivité"
    assert saved_organisation(plan, "communicate") == "B : lettre d'information chaque trimestre"
    b.screenshot(path=screenshots_dir / "allocation-merge-both-kept.png", full_page=True)

    # The same field changed by both: B is asked, nothing is saved until B chooses.
    a.reload()
    b.reload()
    organisation(a, "Lien avec collectivité").fill("A : version de A")
    save(a)
    expect(a.get_by_text("Le brouillon est enregistré.")).to_be_visible()
    organisation(b, "Lien avec collectivité").fill("B : version de B")
    organisation(b, "Communiquer").fill("B : lettre d'information chaque mois")
    save(b)
    alert = b.locator("#conflict")
    expect(alert).to_be_focused()  # the page opens on the message, above the action bar
    expect(alert).to_contain_text("Enregistré par Anne Principale le")
    expect(alert).to_contain_text("Rien n'est enregistré tant que vous n'avez pas choisi.")
    expect(alert).to_be_in_viewport()
    clash = b.get_by_role("group", name=re.compile("Lien avec collectivité — Organisation retenue"))
    expect(clash).to_be_visible()
    expect(clash.get_by_label("Votre saisie")).to_be_visible()
    expect(clash.get_by_text("Votre saisie : B : version de B")).to_be_visible()
    expect(
        clash.get_by_text(re.compile(r"Enregistré par Anne Principale à \d+\sh\s\d\d\s: A : version de A"))
    ).to_be_visible()
    assert saved_organisation(plan, "tools.collectivity_link") == "A : version de A"
    assert saved_organisation(plan, "communicate") == "B : lettre d'information chaque trimestre"
    violations = blocking_violations(axe_violations(b))
    assert not violations, describe(violations)
    b.screenshot(path=screenshots_dir / "allocation-merge-clash.png")  # what B sees: the message and the choice

    clash.locator("label", has_text=re.compile("^" + choice)).click()  # DSFR draws the radio on its label
    expect(clash.get_by_label(re.compile("^" + choice))).to_be_checked()
    save(b)
    expect(b.get_by_text("Le brouillon est enregistré.")).to_be_visible()
    expected = "B : version de B" if choice == "Votre saisie" else "A : version de A"
    expect(organisation(b, "Lien avec collectivité")).to_have_value(expected)
    assert saved_organisation(plan, "tools.collectivity_link") == expected
    assert saved_organisation(plan, "communicate") == "B : lettre d'information chaque mois"
    b.screenshot(
        path=screenshots_dir / f"allocation-merge-chosen-{'mine' if choice == 'Votre saisie' else 'theirs'}.png"
    )
