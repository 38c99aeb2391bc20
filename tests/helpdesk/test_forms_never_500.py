"""Hypothesis on every new form: whatever is posted, a page with French messages or a redirect, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import HelpRequestFactory, TeamSessionFactory

TEXT = st.text(max_size=300)
SETTINGS = settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


def ok(response):
    assert response.status_code in (200, 302, 400, 409), response.status_code


@SETTINGS
@given(kind=TEXT, subject=TEXT, row=TEXT, location=TEXT, urgency=TEXT, description=TEXT, image=st.binary(max_size=300))
def test_the_request_form(client_for, submitted, kind, subject, row, location, urgency, description, image):
    client = client_for(submitted.teacher_a)
    data = {
        "kind": kind,
        "subject": subject,
        "row": row,
        "location": location,
        "urgency": urgency,
        "description": description,
    }
    data = {k: v.replace("\x00", "") for k, v in data.items()}
    data["screenshot"] = SimpleUploadedFile("x.png", image)
    ok(client.post(f"/etablissements/{submitted.school_a.uai}/demandes/nouvelle/", data))


@pytest.fixture
def request_of_a(submitted):
    return HelpRequestFactory(school=submitted.school_a, author=submitted.teacher_a_person)


@SETTINGS
@given(action=TEXT, version=TEXT, note=TEXT, ticket_number=TEXT, ticket_url=TEXT)
def test_the_step_form(client_for, submitted, request_of_a, action, version, note, ticket_number, ticket_url):
    client = client_for(submitted.referent_a)
    data = {
        "action": action,
        "version": version,
        "note": note,
        "ticket_number": ticket_number,
        "ticket_url": ticket_url,
    }
    data = {k: v.replace("\x00", "") for k, v in data.items()}
    ok(client.post(f"/etablissements/{submitted.school_a.uai}/demandes/{request_of_a.pk}/", data))


@SETTINGS
@given(topic=TEXT, day=TEXT, time=TEXT, minutes=TEXT, room=TEXT, places=TEXT)
def test_the_session_form(client_for, submitted, topic, day, time, minutes, room, places):
    client = client_for(submitted.referent_a)
    data = {"topic": topic, "day": day, "time": time, "minutes": minutes, "room": room, "places": places}
    ok(
        client.post(
            f"/etablissements/{submitted.school_a.uai}/sessions/", {k: v.replace("\x00", "") for k, v in data.items()}
        )
    )


@SETTINGS
@given(action=TEXT, present=st.lists(TEXT, max_size=4))
def test_the_session_actions_and_attendance(client_for, submitted, action, present):
    session = TeamSessionFactory(school=submitted.school_a, referent=submitted.referent_person)
    for user in (submitted.teacher_a, submitted.referent_a):
        data = {"action": action.replace("\x00", ""), "present": [p.replace("\x00", "") for p in present]}
        ok(client_for(user).post(f"/etablissements/{submitted.school_a.uai}/sessions/{session.pk}/", data))


@SETTINGS
@given(persons=st.lists(TEXT, max_size=4), everyone=st.booleans())
def test_the_invite_form(client_for, submitted, persons, everyone):
    data = {"persons": [p.replace("\x00", "") for p in persons]}
    if everyone:
        data["all"] = "1"
    ok(client_for(submitted.principal_a).post(f"/etablissements/{submitted.school_a.uai}/personnels/inviter/", data))
