"""Every page of the project passes the accessibility checks, for the role that can open it.

The pages come from MATRIX (tests/test_access_matrix.py), the list every URL of the project must be in: a page
added later is checked here as soon as it has its MATRIX row. A URL that cannot be checked as a page (POST only,
a CSV or PDF download) must be listed in EXEMPT with the reason; any other URL without a check fails.
"""

import re

import pytest
from django.template.loader import render_to_string
from playwright.sync_api import Page, expect

from tests.browser.a11y import (
    assert_accessible,
    assert_fits_320px,
    assert_prints_cleanly,
    log_in,
)
from tests.test_access_matrix import FILE_URLS, MATRIX, matrix_urls, roles_opening

# URL name -> why it has no page to check.
EXEMPT = {
    "oidc_authentication_init": "single sign-on (off in tests): redirects to the identity provider",
    "oidc_authentication_callback": "single sign-on (off in tests): the provider's return, then a redirect",
    "oidc_unknown_account": "single sign-on (off in tests): checked by tests/browser/test_oidc_browser.py",
    "logout": "POST only: signs out and redirects to the login page",
    "helpdesk:request_file": "for the school's teachers only (none in the cast): checked by tests/browser/test_helpdesk_browser.py",
    "badges:publication": "POST only: makes a year's badges and record public or private, then redirects",
    "missions:allocation_check": "POST only: the rules part of the allocation table (HTML pieces its script swaps in)",
    "schools:collectivity_home": "redirects to the collectivité's own page, which is checked",
    "schools:collectivity_action_delete": "POST only: withdraws an authorization, then redirects",
    "schools:sheet_validate": "POST only: validates a procedure sheet, then redirects",
    "schools:sheet_delete": "POST only: deletes a procedure sheet, then redirects",
    "missions:review_delete": "POST only: deletes a scheduled point d'étape, then redirects",
    "missions:event_register": "POST only: registers the referent, then redirects",
    "missions:event_unregister": "POST only: unregisters the referent, then redirects",
    "missions:event_attendance": "POST only: records attendance, then redirects",
    "recognition:project_feature": "POST only: the DANE features a project, then redirects",
    **{name: f"not a page: {what}" for name, what in FILE_URLS.items()},
}
# Entry pages have no breadcrumb (DSFR: not on the home page); every other page has one.
WITHOUT_BREADCRUMB = {"login", "schools:home"}
# Besides the first role that opens a page, the principal is checked too where they can open it: their pages
# are the editable ones (forms, the allocation table).
ALSO_AS = "principal_a"


def roles_to_check(name: str) -> list[str]:
    """The first role of the cast that gets a 200, plus the principal when they do too."""
    openers = roles_opening(name)
    roles = openers[:1]
    if ALSO_AS in openers and ALSO_AS not in roles:
        roles.append(ALSO_AS)
    return roles


def user_of(cast, role: str):
    return None if role == "anonymous" else getattr(cast, role)


def test_every_url_has_an_accessibility_check_or_an_exemption():
    assert set(EXEMPT) <= set(MATRIX), f"stale exemptions: {set(EXEMPT) - set(MATRIX)}"
    unchecked = [
        name
        for name, (method, _path, _outcomes) in MATRIX.items()
        if name not in EXEMPT and (method != "get" or not roles_to_check(name))
    ]
    assert not unchecked, f"no accessibility check for {unchecked}: make them GET pages one role opens, or exempt them"


@pytest.mark.parametrize("name", [name for name in MATRIX if name not in EXEMPT])
def test_page_is_accessible(page: Page, base_url, transactional_db, cast, name):
    method, _path, _outcomes = MATRIX[name]
    assert method == "get", f"{name} is {method.upper()} only: list it in EXEMPT with the reason"
    roles = roles_to_check(name)
    assert roles, f"no role of the cast opens {name}: list it in EXEMPT with the reason"
    url = matrix_urls(cast)[name]
    for role in roles:
        user = user_of(cast, role)
        log_in(page, base_url, user)
        assert_accessible(page, url)
        where = f"{url} as {role}"
        breadcrumb = page.locator("nav.fr-breadcrumb")
        assert breadcrumb.count() == (0 if name in WITHOUT_BREADCRUMB else 1), f"{where}: breadcrumb"
        if user is not None:
            expect(page.locator("#header-account")).to_contain_text(user.get_full_name())
        assert_fits_320px(page, where)
        assert_prints_cleanly(page, where)


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("anonymous", "/cette-page-n-existe-pas/", 404),
        ("principal_a", "/cette-page-n-existe-pas/", 404),
        ("principal_b", "/etablissements/{uai}/", 404),
        ("referent_a", "/etablissements/{uai}/personnels/", 403),
    ],
)
def test_error_pages_are_accessible_and_say_what_to_do(
    page: Page, base_url, transactional_db, cast, role, path, status
):
    log_in(page, base_url, user_of(cast, role))
    assert_accessible(page, path.format(uai=cast.school_a.uai), expected_status=status)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable" if status == 404 else "Accès refusé")
    expect(page.get_by_text("Que faire ?")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^(Page introuvable|Accès refusé) – RUPN$"))
    assert_fits_320px(page)


def test_server_error_page_is_accessible(page: Page, transactional_db):
    page.goto("/accessibilite/")  # same origin, so the page's style sheets load
    page.set_content(render_to_string("500.html"))
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Erreur du serveur")
    assert_fits_320px(page)
    assert_prints_cleanly(page)


def test_the_check_fails_when_a_label_is_removed(page: Page, transactional_db):
    response = page.goto("/connexion/")
    assert response is not None
    html = page.content()
    assert_accessible(page)  # the real login page passes

    without_label = re.sub(r'<label for="id_username".*?</label>', "", html, count=1, flags=re.S)
    assert without_label != html
    page.set_content(without_label)
    with pytest.raises(AssertionError, match=r"(?s)label \(critical\).*id_username"):
        assert_accessible(page)


def test_the_check_fails_on_a_moderate_violation_not_allowed(page: Page, transactional_db):
    page.goto("/connexion/")
    page.set_content(re.sub(r"<h1>(.*?)</h1>", r"<p>\1</p>", page.content()))  # no h1: moderate in axe
    with pytest.raises(AssertionError, match=r"\(moderate\)"):
        assert_accessible(page)


def test_form_errors_are_accessible_and_the_summary_leads_to_each_field(page: Page, base_url, transactional_db, cast):
    log_in(page, base_url, cast.principal_a)
    page.goto(f"/etablissements/{cast.school_a.uai}/personnels/{cast.referent_person.pk}/")
    page.get_by_label("Nom", exact=True).fill("")
    page.get_by_label("Adresse électronique").fill("pas-une-adresse")
    page.get_by_role("button", name="Enregistrer").press("Enter")

    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient 2 erreurs")
    expect(summary).to_be_focused()  # the summary takes the focus, so it is read first
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Nom : Ce champ est obligatoire.")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Nom", exact=True)).to_be_focused()
    expect(page.locator("#id_last_name_error")).to_have_text("Ce champ est obligatoire.")


def test_school_switcher_works_with_the_keyboard(page: Page, base_url, transactional_db, cast):
    from schools.models import Role
    from tests.factories import RoleFactory

    RoleFactory(user=cast.principal_a, kind=Role.Kind.PRINCIPAL, school=cast.school_b)
    log_in(page, base_url, cast.principal_a)
    page.goto(f"/etablissements/{cast.school_a.uai}/")
    switcher = page.get_by_role("button", name="Changer d'établissement")
    switcher.focus()
    page.keyboard.press("Enter")
    expect(switcher).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)  # with the menu open
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Collège Marcelle Pardé")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Collège Marcelle Pardé")
    expect(page.locator("#header-account")).to_contain_text("Chef d'établissement · Collège Marcelle Pardé")
