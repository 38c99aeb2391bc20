"""Sessions de prise en main: places counted under a lock, full told so, attendance logged as "formation animée"."""

import datetime

from django.utils import timezone

from activity.models import ActivityEntry
from helpdesk.models import TeamSession, TeamSessionRegistration
from tests.factories import TeamSessionFactory
from tests.helpdesk.conftest import make_teacher
from tests.utils import extract_form_fields, flat


def test_a_referent_schedules_a_session_from_the_form(client_for, team):
    client = client_for(team.referent_a)
    page = f"/etablissements/{team.school_a.uai}/sessions/"
    fields = flat(extract_form_fields(client.get(page).content, "session-form"))
    day = timezone.localdate() + datetime.timedelta(days=10)
    fields.update(topic="Pronote : le cahier de textes", day=day.isoformat(), time="14:00", room="CDI", places="3")
    response = client.post(page, fields)
    session = TeamSession.objects.get()
    assert response.status_code == 302
    assert (session.referent, session.places, session.room) == (team.referent_person, 3, "CDI")
    assert (
        "Pronote : le cahier de textes"
        in client_for(team.teacher_a).get(f"/etablissements/{team.school_a.uai}/numerique/").content.decode()
    )


def test_a_session_in_the_past_is_refused_beside_the_date(client_for, team):
    client = client_for(team.referent_a)
    page = f"/etablissements/{team.school_a.uai}/sessions/"
    fields = flat(extract_form_fields(client.get(page).content, "session-form"))
    fields.update(topic="ENT", day="2020-01-01", time="10:00", room="CDI", places="3")
    response = client.post(page, fields)
    assert response.status_code == 400 and "date à venir" in response.content.decode()


def test_three_places_four_teachers_the_fourth_is_told_it_is_full(client_for, team):
    session = TeamSessionFactory(school=team.school_a, referent=team.referent_person, places=3)
    page = f"/etablissements/{team.school_a.uai}/sessions/{session.pk}/"
    third, _person = make_teacher(team.school_a, "troisieme@ac-dijon.fr", "Tom", "Trois")
    fourth, _person = make_teacher(team.school_a, "quatrieme@ac-dijon.fr", "Quentin", "Quatre")
    for user in (team.teacher_a, team.teacher_a2, third):
        assert client_for(user).post(page, {"action": "register"}).status_code == 302
    response = client_for(fourth).post(page, {"action": "register"})
    assert response.status_code == 400
    assert "Cette session est complète" in response.content.decode()
    assert TeamSessionRegistration.objects.filter(session=session).count() == 3
    assert client_for(third).post(page, {"action": "unregister"}).status_code == 302
    assert client_for(fourth).post(page, {"action": "register"}).status_code == 302


def test_the_referent_records_attendance_once_logged_as_training_given(client_for, team):
    session = TeamSessionFactory(school=team.school_a, referent=team.referent_person, minutes=90)
    client_for(team.teacher_a).post(
        f"/etablissements/{team.school_a.uai}/sessions/{session.pk}/", {"action": "register"}
    )
    TeamSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    registration = TeamSessionRegistration.objects.get()
    client = client_for(team.referent_a)
    page = f"/etablissements/{team.school_a.uai}/sessions/{session.pk}/"
    for _twice in range(2):
        assert client.post(page, {"action": "attendance", "present": [str(registration.pk)]}).status_code == 302
    registration.refresh_from_db()
    assert registration.attended is True
    [entry] = ActivityEntry.objects.filter(person=team.referent_person)
    assert (entry.kind, entry.minutes, entry.mission.code) == ("training_given", 90, "support_teams")


def test_a_teacher_may_not_record_attendance_nor_a_referent_register(client_for, team):
    session = TeamSessionFactory(school=team.school_a, referent=team.referent_person)
    page = f"/etablissements/{team.school_a.uai}/sessions/{session.pk}/"
    assert client_for(team.teacher_a).post(page, {"action": "attendance"}).status_code == 400
    assert client_for(team.referent_a).post(page, {"action": "register"}).status_code == 400
    assert not TeamSessionRegistration.objects.exists()
