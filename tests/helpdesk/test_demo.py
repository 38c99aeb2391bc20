"""The demo's team: a teacher login, requests in every state, one upcoming session; loaded once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from helpdesk.models import HelpRequest, TeamSession
from schools.models import Role


@pytest.mark.django_db
def test_the_demo_teacher_signs_in_and_finds_requests_in_every_state_and_a_session():
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "enseignant@demo.rupn.fr" in out.getvalue()
    role = Role.objects.get(user__email="enseignant@demo.rupn.fr")
    assert role.kind == "enseignant"
    assert set(HelpRequest.objects.filter(school=role.school).values_list("state", flat=True)) == set(
        HelpRequest.State.values
    )
    assert TeamSession.objects.filter(school=role.school, starts_at__gt=timezone.now()).count() == 1
    client = Client()
    assert client.post("/connexion/", {"username": role.user.email, "password": "demo-rupn-2026"}).status_code == 302
    html = client.get(f"/etablissements/{role.school.uai}/demandes/").content.decode()
    assert "Le vidéoprojecteur de la B12" in html and "Transmise à la collectivité" in html
    before = HelpRequest.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert HelpRequest.objects.count() == before
