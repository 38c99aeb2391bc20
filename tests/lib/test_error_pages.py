"""The handler of uncaught errors: the database away is a French 503 that says to retry; anything else a 500."""

from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from rupn.lib.error_pages import RETRY_AFTER_SECONDS, server_error


def answer_to(error: Exception):
    try:
        raise error
    except Exception:  # Django calls handler500 inside its except block
        return server_error(RequestFactory().get("/"))


def test_the_database_away_is_a_french_503_with_retry_after_and_no_query():
    for error in (OperationalError("server closed the connection unexpectedly"), InterfaceError("connection closed")):
        response = answer_to(error)  # no db fixture: a query would fail the test
        html = response.content.decode()
        assert response.status_code == 503
        assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert "<title>Service momentanément indisponible – RUPN</title>" in html
        assert "il n'a pas été enregistré" in html.replace("&#x27;", "'")
        assert "server closed" not in html


def test_any_other_error_is_still_the_500_page():
    response = answer_to(ValueError("boom"))
    assert response.status_code == 500
    assert "Erreur du serveur" in response.content.decode()
