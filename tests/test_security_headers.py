"""Security headers on a page response: in every environment (CSP, frame-ancestors, nosniff, Referrer-Policy,
X-Frame-Options), and with the production settings' HTTPS values (HSTS, secure cookies, redirect to HTTPS)."""

import importlib
import sys

import pytest

from tests.factories import UserFactory


@pytest.fixture
def production(settings, monkeypatch):
    """The test settings with every SECURE_*, *_COOKIE_* value of rupn.settings.production."""
    monkeypatch.setenv("SECRET_KEY", "k3P9#vQ2@zL8!mW5&rT1^yB7*nX4%cF6-hJ0+dSg9Lq2Vw8Ez-aU3oN")
    monkeypatch.setenv("ALLOWED_HOSTS", "testserver")
    monkeypatch.setenv("EMAIL_URL", "smtp://rupn:secret@smtp.example.fr:587/?tls=True")
    monkeypatch.setenv("OPENBADGES_ISSUER_EMAIL", "numerique@ac-dijon.fr")
    sys.modules.pop("rupn.settings.production", None)
    module = importlib.import_module("rupn.settings.production")
    sys.modules.pop("rupn.settings.production", None)
    names = [n for n in dir(module) if n.startswith("SECURE_") or "_COOKIE_" in n]
    assert {"SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT"} <= set(names)
    for name in names:
        setattr(settings, name, getattr(module, name))
    return module


def test_every_page_response_carries_the_security_headers(client, db):
    response = client.get("/connexion/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src


def test_production_sends_hsts_and_secure_cookies(client, db, production):
    response = client.get("/connexion/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response.cookies["csrftoken"]["secure"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]

    user = UserFactory()
    fields = {"username": user.email, "password": "mot-de-passe-de-test", "next": ""}
    response = client.post("/connexion/", fields, secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"


def test_production_redirects_plain_http_to_https(client, db, production):
    response = client.get("/connexion/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/connexion/"
