"""The page frame uses django-dsfr's own components for the breadcrumb and the messages, and escapes their text."""

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template import engines
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def _page(**context) -> str:
    request = RequestFactory().get("/")
    request.session = {}
    request.csp_nonce = "nonce"
    request._messages = FallbackStorage(request)
    for level, text in context.pop("messages", []):
        messages.add_message(request, level, text)
    return engines["django"].from_string('{% extends "base.html" %}').render(context, request=request)


def test_the_breadcrumb_is_the_dsfr_component_in_french():
    html = _page(breadcrumb_data={"links": [{"url": "/etablissements/", "title": "Établissements"}], "current": "Ici"})
    assert 'class="fr-breadcrumb"' in html and 'aria-label="vous êtes ici\u00a0:"' in html
    assert "Voir le fil d’Ariane" in html and ">Accueil</a>" in html
    assert 'aria-current="page">Ici</a>' in html


def test_a_message_is_a_dsfr_alert_whose_text_is_escaped():
    html = _page(messages=[(messages.SUCCESS, "La fiche « <b>Anne</b> » est enregistrée.")])
    assert 'class="fr-alert fr-alert--success fr-alert--sm fr-mb-2w"' in html
    assert "&lt;b&gt;Anne&lt;/b&gt;" in html and "<b>Anne</b>" not in html
