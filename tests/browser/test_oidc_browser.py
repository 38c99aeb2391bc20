"""Sign-in with ProConnect in Chromium, against the real OpenID provider of tests/oidc_provider: its login and
consent pages, back in RUPN as the right person with the right roles; logout ends the provider's session too."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import assert_accessible
from tests.oidc_provider import Provider
from tests.portal.test_oidc import use_provider


@pytest.fixture
def sso(settings, live_server, transactional_db, tmp_path):
    running = Provider(tmp_path, rp_urls=[live_server.url])
    use_provider(settings, running)
    yield running
    running.stop()


def sign_in_with_proconnect(page: Page, sub: str) -> None:
    page.goto("/connexion/")
    page.get_by_role("link", name="Se connecter avec ProConnect").click()
    expect(page.locator("input[name=login]")).to_be_visible()  # the provider's login page
    page.locator("input[name=login]").fill(sub)
    page.locator("input[name=password]").fill("mot-de-passe-chez-le-fournisseur")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # the provider's consent page


def test_principal_signs_in_with_proconnect_and_out_of_both(page: Page, live_server, cast, sso, screenshots_dir):
    sso.add_account("agent-principal-a", cast.principal_a.email, given_name="Anne", usual_name="Principale")

    sign_in_with_proconnect(page, "agent-principal-a")

    expect(page).to_have_url(f"{live_server.url}/etablissements/{cast.school_a.uai}/")  # one school: lands on it
    expect(page.locator("#header-account")).to_contain_text("Anne Principale")
    expect(page.locator("#header-account")).to_contain_text("Chef d'établissement")
    page.goto(f"/etablissements/{cast.school_a.uai}/personnels/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Personnels")
    page.screenshot(path=screenshots_dir / "oidc-signed-in.png", full_page=True)
    cast.principal_a.refresh_from_db()
    assert cast.principal_a.oidc_sub == "agent-principal-a"

    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("button", name="Yes, sign me out").click()  # the provider's end of session
    expect(page).to_have_url(f"{live_server.url}/connexion/")

    # The provider's session is over too: signing in asks for the login again.
    page.get_by_role("link", name="Se connecter avec ProConnect").click()
    expect(page.locator("input[name=login]")).to_be_visible()


def test_unknown_person_sees_whom_to_ask(page: Page, live_server, cast, sso):
    sso.add_account("agent-inconnu", "inconnu@ac-dijon.fr")

    sign_in_with_proconnect(page, "agent-inconnu")

    expect(page).to_have_url(f"{live_server.url}/oidc/compte-inconnu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Compte RUPN introuvable")
    expect(page.get_by_text("inconnu@ac-dijon.fr")).to_be_visible()
    assert_accessible(page)
