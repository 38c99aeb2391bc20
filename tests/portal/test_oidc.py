"""Single sign-on through OpenID Connect, against a real, certified provider (npm's oidc-provider, run by node)
that issues ProConnect's claims: tests/oidc_provider/. The person's browser is the Django test client on RUPN's
side and a requests session at the provider (ProviderBrowser); tests/browser/test_oidc_browser.py does it in
Chromium."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import SuspiciousOperation

from portal.management.commands.oidc_discover import discover
from portal.oidc import ExistingAccountsBackend
from schools.models import User
from tests.factories import PersonFactory, UserFactory
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, ProviderBrowser, query_of

RP = "http://testserver"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    running = Provider(tmp_path_factory.mktemp("oidc"), rp_urls=[RP])
    yield running
    running.stop()


def use_provider(settings, provider: Provider) -> None:
    """RUPN's settings pointed at the provider, endpoints read from its discovery document (as the README says)."""
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "ProConnect"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid email given_name usual_name uid siret idp_id"
    for name, value in discover(provider.discovery_url).items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "portal.oidc.ExistingAccountsBackend"]
    # As rupn/settings/base.py does when OIDC_OP_LOGOUT_ENDPOINT is set: the logout form may lead to the provider.
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": ["'self'", provider.url]}


@pytest.fixture
def sso(settings, provider, db):
    use_provider(settings, provider)
    provider.accounts.clear()
    provider.save_accounts()
    return provider


def start(client) -> str:
    """RUPN's "Se connecter avec ProConnect": the authorization request it sends the browser to."""
    response = client.get("/oidc/connexion/")
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, browser: ProviderBrowser, login: str):
    back = browser.authorize(start(client), login=login)
    assert back.startswith(f"{RP}/oidc/retour/")
    return client.get(back.removeprefix(RP))


def test_login_page_offers_single_sign_on_only_when_enabled(client, db, settings):
    assert "Se connecter avec" not in client.get("/connexion/").content.decode()
    assert client.get("/oidc/connexion/").status_code == 404
    assert client.get("/oidc/compte-inconnu/").status_code == 404
    settings.OIDC_ENABLED = True
    html = client.get("/connexion/").content.decode()
    assert 'href="/oidc/connexion/"' in html
    assert "Se connecter avec ProConnect" in html
    assert 'name="password"' in html  # the password form stays


def test_authorization_request_has_state_nonce_pkce_and_proconnect_scopes(client, sso):
    query = query_of(start(client))
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == f"{RP}/oidc/retour/"
    assert set(query["scope"].split()) == {"openid", "email", "given_name", "usual_name", "uid", "siret", "idp_id"}
    assert query["state"] and query["nonce"]
    assert query["code_challenge_method"] == "S256"


def test_acr_values_are_sent_when_set(client, sso, settings):
    settings.OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1"}
    assert query_of(start(client))["acr_values"] == "eidas1"


def test_first_sign_in_links_the_account_with_that_email_then_sub_keeps_it(client, sso, cast):
    user = UserFactory(email="camille.martin@ac-dijon.fr")
    sso.add_account("agent-7f3a", "Camille.Martin@ac-dijon.fr")
    browser = ProviderBrowser(sso)

    response = sign_in(client, browser, "agent-7f3a")

    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert browser.pages == ["login", "consent"]
    user.refresh_from_db()
    assert user.oidc_sub == "agent-7f3a"

    # The address changes at the provider (and someone else now has the old one in RUPN): the sub still matches.
    client.logout()
    sso.add_account("agent-7f3a", "camille.martin-durand@ac-dijon.fr")
    UserFactory(email="camille.martin-durand@ac-dijon.fr")
    response = sign_in(client, ProviderBrowser(sso), "agent-7f3a")
    assert client.session[SESSION_KEY] == str(user.pk)


def test_signed_in_person_has_their_roles(client, sso, cast):
    sso.add_account("agent-principal-a", cast.principal_a.email)
    sign_in(client, ProviderBrowser(sso), "agent-principal-a")
    assert client.get(f"/etablissements/{cast.school_a.uai}/personnels/").status_code == 200
    assert client.get(f"/etablissements/{cast.school_b.uai}/personnels/").status_code == 404


def test_unknown_person_gets_a_french_page_saying_whom_to_ask_and_nothing_is_created(client, sso, caplog):
    before = User.objects.count()
    sso.add_account("agent-inconnu", "inconnu@ac-dijon.fr")

    response = sign_in(client, ProviderBrowser(sso), "agent-inconnu")

    assert response["Location"] == "/oidc/compte-inconnu/"
    page = client.get("/oidc/compte-inconnu/").content.decode()
    assert "Compte RUPN introuvable" in page
    assert "inconnu@ac-dijon.fr" in page  # shown to the person, so they can give it to the DANE
    assert "la DANE de votre académie" in page
    assert "Aucun compte n'a été créé" in page
    assert User.objects.count() == before
    assert SESSION_KEY not in client.session
    assert "inconnu@" not in caplog.text  # personal data: never logged


def test_deactivated_account_is_not_opened_even_by_its_sub(client, sso):
    UserFactory(email="parti@ac-dijon.fr", is_active=False, oidc_sub="agent-parti")
    sso.add_account("agent-parti", "parti@ac-dijon.fr")
    response = sign_in(client, ProviderBrowser(sso), "agent-parti")
    assert response["Location"] == "/oidc/compte-inconnu/"
    assert SESSION_KEY not in client.session


def test_an_account_linked_to_another_sub_is_not_taken_by_email(client, sso):
    UserFactory(email="camille.martin@ac-dijon.fr", oidc_sub="agent-original")
    sso.add_account("agent-usurpateur", "camille.martin@ac-dijon.fr")
    sign_in(client, ProviderBrowser(sso), "agent-usurpateur")
    assert SESSION_KEY not in client.session


def test_a_forged_state_is_refused(client, sso):
    UserFactory(email="camille.martin@ac-dijon.fr")
    sso.add_account("agent-7f3a", "camille.martin@ac-dijon.fr")
    back = query_of(ProviderBrowser(sso).authorize(start(client), login="agent-7f3a"))

    response = client.get("/oidc/retour/", {"code": back["code"], "state": "etat-invente"}, follow=True)

    assert SESSION_KEY not in client.session
    assert "La connexion avec ProConnect n&#x27;a pas abouti" in response.content.decode()


def test_a_wrong_nonce_is_refused(client, sso):
    user = UserFactory(email="camille.martin@ac-dijon.fr")
    sso.add_account("agent-7f3a", "camille.martin@ac-dijon.fr")
    back = ProviderBrowser(sso).authorize(start(client), login="agent-7f3a")
    session = client.session
    state = query_of(back)["state"]
    session["oidc_states"][state]["nonce"] = "un-autre-nonce"  # the ID token carries the nonce RUPN asked for
    session.save()

    client.get(back.removeprefix(RP))

    assert SESSION_KEY not in client.session
    user.refresh_from_db()
    assert user.oidc_sub == ""


def test_a_replayed_callback_or_code_is_refused(client, sso):
    user = UserFactory(email="camille.martin@ac-dijon.fr")
    sso.add_account("agent-7f3a", "camille.martin@ac-dijon.fr")
    browser = ProviderBrowser(sso)
    back = browser.authorize(start(client), login="agent-7f3a")
    client.get(back.removeprefix(RP))
    assert client.session[SESSION_KEY] == str(user.pk)
    client.logout()

    # The same return URL again (its state was used): refused.
    client.get(back.removeprefix(RP))
    assert SESSION_KEY not in client.session

    # The old code injected into a new sign-in of this browser (its own state): the provider refuses the code.
    new_state = query_of(start(client))["state"]
    response = client.get("/oidc/retour/", {"code": query_of(back)["code"], "state": new_state})
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def id_token(key, **claims) -> str:
    now = int(time.time())
    payload = {"iss": "x", "sub": "agent-7f3a", "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": "n"} | claims
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "rupn-test-rs256"})


def test_forged_tokens_are_refused_by_the_providers_keys(sso, settings):
    backend = ExistingAccountsBackend()
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    with pytest.raises(SuspiciousOperation):  # signed by another key, with the provider's kid
        backend.verify_token(id_token(forger, iss=settings.OIDC_OP_ISSUER), nonce="n")
    unsigned = jwt.encode({"sub": "agent-7f3a", "aud": CLIENT_ID, "nonce": "n"}, None, algorithm="none")
    with pytest.raises(SuspiciousOperation):  # "alg": "none"
        backend.verify_token(unsigned, nonce="n")


def test_a_token_for_another_client_from_another_issuer_or_expired_is_refused(sso, settings):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.OIDC_RP_IDP_SIGN_KEY = key.public_key()  # as if the provider had signed them
    backend = ExistingAccountsBackend()
    issuer = settings.OIDC_OP_ISSUER
    assert backend.verify_token(id_token(key, iss=issuer), nonce="n")["sub"] == "agent-7f3a"
    for claims in ({"aud": "un-autre-client"}, {"exp": int(time.time()) - 3600}, {"iss": "https://ailleurs"}):
        with pytest.raises(SuspiciousOperation):
            backend.verify_token(id_token(key, **{"iss": issuer, **claims}), nonce="n")


def test_refusal_at_the_provider_comes_back_as_a_french_message(client, sso):
    sso.add_account("agent-7f3a", "camille.martin@ac-dijon.fr")
    back = ProviderBrowser(sso).authorize(start(client), abort=True)
    assert query_of(back)["error"] == "access_denied"
    response = client.get(back.removeprefix(RP), follow=True)
    assert SESSION_KEY not in client.session
    assert "La connexion avec ProConnect n&#x27;a pas abouti" in response.content.decode()


def test_logout_ends_the_providers_session_too(client, sso):
    user = UserFactory(email="camille.martin@ac-dijon.fr")
    sso.add_account("agent-7f3a", "camille.martin@ac-dijon.fr")
    browser = ProviderBrowser(sso)
    sign_in(client, browser, "agent-7f3a")

    response = client.post("/deconnexion/")

    assert SESSION_KEY not in client.session
    assert response["Location"].startswith(f"{sso.url}/session/end?")
    assert query_of(response["Location"])["post_logout_redirect_uri"] == f"{RP}/connexion/"
    assert browser.end_session(response["Location"]) == f"{RP}/connexion/"
    # Signing in again asks for the login again: the provider's session is over.
    browser.pages.clear()
    sign_in(client, browser, "agent-7f3a")
    assert browser.pages[0] == "login"
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_provider_session_still_open_signs_in_without_login_page(client, sso):
    UserFactory(email="camille.martin@ac-dijon.fr")
    sso.add_account("agent-7f3a", "camille.martin@ac-dijon.fr")
    browser = ProviderBrowser(sso)
    sign_in(client, browser, "agent-7f3a")
    client.logout()  # RUPN's session only, e.g. it expired after 8 hours
    browser.pages.clear()
    sign_in(client, browser, "agent-7f3a")
    assert browser.pages == []
    assert SESSION_KEY in client.session


def test_an_expired_provider_session_asks_for_the_login_again(client, db, settings, tmp_path):
    short = Provider(tmp_path, rp_urls=[RP], session_ttl=2)
    try:
        use_provider(settings, short)
        user = UserFactory(email="camille.martin@ac-dijon.fr")
        short.add_account("agent-7f3a", "camille.martin@ac-dijon.fr")
        browser = ProviderBrowser(short)
        sign_in(client, browser, "agent-7f3a")
        client.logout()
        time.sleep(3)
        browser.pages.clear()

        sign_in(client, browser, "agent-7f3a")

        assert browser.pages[0] == "login"
        assert client.session[SESSION_KEY] == str(user.pk)
    finally:
        short.stop()


def test_password_logout_without_single_sign_on_stays_local(client, sso, cast):
    client.force_login(cast.principal_a)
    response = client.post("/deconnexion/")
    assert response["Location"] == "/connexion/"


def test_a_staff_member_in_post_signing_in_gets_an_account_and_the_teacher_role(client, sso, cast):
    PersonFactory(school=cast.school_a, first_name="Inès", last_name="Nouvelle", email="ines.nouvelle@ac-dijon.fr")
    sso.add_account("agent-ines", "Ines.Nouvelle@ac-dijon.fr")

    response = sign_in(client, ProviderBrowser(sso), "agent-ines")

    assert (response.status_code, response["Location"]) == (302, "/")
    user = User.objects.get(email="ines.nouvelle@ac-dijon.fr")
    assert user.oidc_sub == "agent-ines" and not user.has_usable_password()
    assert list(user.roles.values_list("kind", "school_id")) == [("enseignant", cast.school_a.pk)]
    assert client.get(f"/etablissements/{cast.school_a.uai}/numerique/").status_code == 200
    assert client.get(f"/etablissements/{cast.school_a.uai}/personnels/").status_code == 403


def test_a_staff_member_no_longer_in_post_gets_no_account(client, sso, cast):
    PersonFactory(school=cast.school_a, email="parti@ac-dijon.fr", is_active=False)
    sso.add_account("agent-parti", "parti@ac-dijon.fr")
    response = sign_in(client, ProviderBrowser(sso), "agent-parti")
    assert response["Location"] == "/oidc/compte-inconnu/"
    assert not User.objects.filter(email="parti@ac-dijon.fr").exists()
