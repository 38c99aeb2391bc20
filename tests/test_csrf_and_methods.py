"""Every state change is a POST with a CSRF token: POST-only views refuse GET, and no URL of the project takes
a POST without the token (Django's CsrfViewMiddleware, nothing csrf_exempt)."""

import pytest
from django.test import Client

from tests.test_access_matrix import LOGIN, MATRIX, ROLES, matrix_urls

POST_ONLY = [name for name, (method, _p, _o) in MATRIX.items() if method == "post"]


def allowed_role(name: str) -> str:
    """A role of the cast that the URL lets through (not refused by the access layer)."""
    for role, expected in zip(ROLES, MATRIX[name][2], strict=True):
        if role != "anonymous" and expected not in (LOGIN, 403, 404):
            return role
    return "anonymous"


def client_as(cast, role: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    return client


def test_the_matrix_has_post_only_views():
    assert {"logout", "missions:allocation_check", "schools:sheet_delete"} <= set(POST_ONLY)


@pytest.mark.parametrize("name", POST_ONLY)
def test_post_only_views_refuse_get(cast, name):
    client = client_as(cast, allowed_role(name))
    assert client.get(matrix_urls(cast)[name]).status_code == 405


@pytest.mark.parametrize("name", list(MATRIX))
def test_a_post_without_csrf_token_is_refused(cast, name):
    client = client_as(cast, allowed_role(name))
    response = client.post(matrix_urls(cast)[name], {"anything": "1"})
    assert response.status_code == 403, name
    assert "Formulaire expiré" in response.content.decode()


@pytest.mark.parametrize("name", list(MATRIX))
def test_every_view_declares_its_methods(cast, name):
    """PUT, DELETE and PATCH are no method of ours: every URL answers 405 (the anonymous visitor of a page behind
    the login may be sent to the login page first)."""
    role = allowed_role(name)
    client = Client()  # no CSRF check: the method is refused before any form is read
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    url = matrix_urls(cast)[name]
    for method in ("put", "delete", "patch"):
        response = getattr(client, method)(url)
        if MATRIX[name][2]._asdict()[role] == 404:  # nobody reaches it (single sign-on is off by default)
            assert response.status_code in (404, 405), f"{method.upper()} {url}"
        elif role == "anonymous" and response.status_code == 302:
            assert response["Location"].startswith("/connexion/?next="), f"{method.upper()} {url}"
        else:
            assert response.status_code == 405, f"{role} {method.upper()} {url}: {response.status_code}"
