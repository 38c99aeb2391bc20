"""A referent opens "Mon parcours", edits the i-prof text and copies it, in a real Chromium with the CSP on."""

import datetime

from playwright.sync_api import Page, expect

from missions.services import plan_get_or_create
from schools.models import SchoolYear
from tests.browser.a11y import log_in
from tests.factories import ProjectFactory


def test_referent_edits_and_copies_the_iprof_text(page: Page, transactional_db, cast, base_url):
    earlier = SchoolYear.objects.create(start_year=cast.school_year.start_year - 1)
    for school_year in (earlier, cast.school_year):
        plan = plan_get_or_create(school=cast.school_a, school_year=school_year)
        for code in ("support_teams", "tools.ent_admin"):
            plan.rows.get(mission__code=code).holders.add(cast.referent_person)
    project = ProjectFactory(school=cast.school_a, school_year=cast.school_year, title="Tw'haïku des 6e")
    project.referents.add(cast.referent_person)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    log_in(page, base_url, cast.referent_a)

    page.goto("/mon-parcours/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon parcours de référent numérique")
    expect(page.get_by_text("Tw'haïku des 6e")).to_be_visible()
    field = page.get_by_label("Texte proposé")
    expected = (
        f"Référent numérique (RUPN) au collège Les Lentillères de {earlier.start_year} à "
        f"{cast.school_year.start_year + 1} : accompagnement de l'équipe pédagogique, administration de l'ENT."
    )
    expect(field).to_have_value(expected)

    edited = expected + " Formatrice au plan académique de formation depuis " + str(datetime.date.today().year) + "."
    field.fill(edited)
    page.get_by_role("button", name="Copier").click()  # hidden until the script runs: a click proves it ran

    expect(page.locator("#iprof-status")).to_have_text("Texte copié : collez-le dans i-prof.")
    assert page.evaluate("navigator.clipboard.readText()") == edited
