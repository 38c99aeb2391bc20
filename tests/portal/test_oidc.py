"""Single sign-on through OpenID Connect, against a fake provider served by the test on a loopback port."""

import json
import threading
import time
from urllib.parse import parse_qs, urlparse
from wsgiref.simple_server import WSGIRequestHandler, make_server

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import SESSION_KEY
from jwt.algorithms import RSAAlgorithm

from tests.factories import UserFactory

CLIENT_ID = "rupn-test"


class FakeProvider:
    """An OpenID provider's token, userinfo and JWKS endpoints; the e-mail it vouches for is `email`."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.email = ""
        self.nonce = ""
        self.server = make_server("127.0.0.1", 0, self.app, handler_class=QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def app(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/token":
            now = int(time.time())
            claims = {"iss": self.url, "sub": "agent-42", "aud": CLIENT_ID, "iat": now, "exp": now + 300}
            claims["nonce"] = self.nonce
            id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})
            body = {"access_token": "jeton-d-acces", "token_type": "Bearer", "id_token": id_token}
        elif path == "/userinfo":
            body = {"sub": "agent-42", "email": self.email}
        elif path == "/jwks":
            jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
            body = {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b""]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    fake = FakeProvider()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "ProConnect"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{fake.url}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{fake.url}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{fake.url}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{fake.url}/jwks"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "portal.oidc.ExistingAccountsBackend"]
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    thread.join()


def sign_in_through(client, provider, email):
    """The browser's round trip: RUPN sends it to the provider, which sends it back with a code."""
    response = client.get("/oidc/connexion/")
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.url}/authorize"
    query = parse_qs(location.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == ["http://testserver/oidc/retour/"]
    provider.nonce, provider.email = query["nonce"][0], email
    return client.get("/oidc/retour/", {"code": "code-42", "state": query["state"][0]})


def test_login_page_offers_single_sign_on_only_when_enabled(client, db, settings):
    assert "Se connecter avec" not in client.get("/connexion/").content.decode()
    assert client.get("/oidc/connexion/").status_code == 404
    settings.OIDC_ENABLED = True
    html = client.get("/connexion/").content.decode()
    assert 'href="/oidc/connexion/"' in html
    assert "Se connecter avec ProConnect" in html
    assert 'name="password"' in html  # the password form stays


def test_provider_signs_in_the_existing_account_with_that_email(client, db, provider):
    user = UserFactory(email="camille.martin@ac-dijon.fr")
    response = sign_in_through(client, provider, "Camille.Martin@ac-dijon.fr")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(user.pk)


def test_provider_never_creates_an_account(client, db, provider, caplog):
    from schools.models import User

    before = User.objects.count()
    response = sign_in_through(client, provider, "inconnu@ac-dijon.fr")
    assert response.status_code == 302
    assert response["Location"] == "/connexion/"
    assert User.objects.count() == before
    assert SESSION_KEY not in client.session
    page = client.get("/connexion/").content.decode()
    assert "Votre compte n&#x27;est pas encore ouvert dans RUPN" in page
    assert "inconnu@" not in caplog.text


def test_provider_does_not_open_a_deactivated_account(client, db, provider):
    UserFactory(email="parti@ac-dijon.fr", is_active=False)
    sign_in_through(client, provider, "parti@ac-dijon.fr")
    assert SESSION_KEY not in client.session


def test_a_forged_state_is_refused(client, db, provider):
    UserFactory(email="camille.martin@ac-dijon.fr")
    client.get("/oidc/connexion/")
    provider.email = "camille.martin@ac-dijon.fr"
    response = client.get("/oidc/retour/", {"code": "code-42", "state": "etat-invente"})
    assert SESSION_KEY not in client.session
    assert response.status_code in (302, 400)
