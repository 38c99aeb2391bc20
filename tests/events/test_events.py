"""The DANE's events: publishing, registering within capacity and audience, attendance, the .ics file."""

import datetime
import html as htmllib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.ics import event_ics
from events.models import Event, EventRegistration
from missions.services import plan_get_or_create
from schools.models import Role, SchoolYear
from tests.factories import (
    EventFactory,
    EventRegistrationFactory,
    PersonFactory,
    RoleFactory,
    SchoolFactory,
    UserFactory,
)
from tests.utils import extract_form_fields, flat

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


def referent(cast, school, email):
    account = UserFactory(email=email)
    RoleFactory(user=account, kind=Role.Kind.REFERENT, school=school)
    PersonFactory(school=school, user=account, email=email)
    return account


def test_dane_publishes_an_event_posting_back_the_form(client_for, cast):
    client = client_for(cast.dane)
    url = reverse("missions:event_create")
    data = extract_form_fields(client.get(url).content, "event-form")
    start = (timezone.localtime() + datetime.timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)
    data.update(
        kind=["meeting"],
        title=["Rencontre annuelle des référents"],
        starts_at=[start.strftime("%Y-%m-%dT%H:%M")],
        ends_at=[(start + datetime.timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")],
        place=["Rectorat de Dijon"],
        capacity=["120"],
        audience=["all"],
    )
    response = client.post(url, flat(data), follow=True)
    event = Event.objects.get()
    assert (event.academie, event.capacity, event.created_by) == (cast.dijon, 120, cast.dane)
    assert event.starts_at == start
    assert "est publié" in text(response)
    listing = text(client_for(cast.referent_a).get(reverse("missions:events")))
    assert "Rencontre annuelle des référents" in listing
    assert "Rencontre annuelle des référents" not in text(client_for(cast.dane_other).get(reverse("missions:events")))


def test_event_needs_a_place_or_a_link_and_an_end_after_its_start(client_for, cast):
    client = client_for(cast.dane)
    url = reverse("missions:event_create")
    data = extract_form_fields(client.get(url).content, "event-form")
    data.update(
        kind=["training"],
        title=["Formation"],
        starts_at=["2030-01-10T14:00"],
        ends_at=["2030-01-10T13:00"],
        audience=["all"],
    )
    page = text(client.post(url, flat(data)))
    assert "La fin doit suivre le début de l'événement." in page
    assert "Indiquez le lieu, ou le lien de la classe virtuelle." in page
    assert not Event.objects.exists()


def test_referent_registers_and_unregisters(client_for, cast):
    event = EventFactory(academie=cast.dijon, capacity=10)
    client = client_for(cast.referent_a)
    page = text(client.post(reverse("missions:event_register", args=[event.pk]), follow=True))
    assert "Vous êtes inscrit(e) à" in page
    assert "1 inscrit sur 10 places" in page
    assert EventRegistration.objects.filter(event=event, user=cast.referent_a).exists()
    assert "déjà inscrit" in text(client.post(reverse("missions:event_register", args=[event.pk]), follow=True))
    assert EventRegistration.objects.count() == 1

    page = text(client.post(reverse("missions:event_unregister", args=[event.pk]), follow=True))
    assert "est retirée" in page
    assert not EventRegistration.objects.exists()


def test_a_full_event_refuses_the_next_referent(client_for, cast):
    event = EventFactory(academie=cast.dijon, capacity=1)
    EventRegistrationFactory(event=event, user=referent(cast, cast.school_b, "ref.b@ac-dijon.fr"))
    client = client_for(cast.referent_a)
    assert "Complet" in text(client.get(reverse("missions:event_detail", args=[event.pk])))
    page = text(client.post(reverse("missions:event_register", args=[event.pk]), follow=True))
    assert "Cet événement est complet" in page
    assert EventRegistration.objects.count() == 1


def test_an_event_for_lycees_refuses_a_college_referent(client_for, cast):
    event = EventFactory(academie=cast.dijon, audience=Event.Audience.LYCEES)
    page = text(client_for(cast.referent_a).post(reverse("missions:event_register", args=[event.pk]), follow=True))
    assert "Cet événement s'adresse aux référents des lycées de l'académie." in page
    lycee = SchoolFactory(lycee=True, departement=cast.school_a.departement, collectivity=cast.cd21)
    client = client_for(referent(cast, lycee, "ref.lycee@ac-dijon.fr"))
    client.post(reverse("missions:event_register", args=[event.pk]))
    assert EventRegistration.objects.filter(event=event).count() == 1


def test_no_registration_once_the_event_started(client_for, cast):
    event = EventFactory(academie=cast.dijon, past=True)
    page = text(client_for(cast.referent_a).post(reverse("missions:event_register", args=[event.pk]), follow=True))
    assert "Les inscriptions sont closes" in page
    assert not EventRegistration.objects.exists()


def test_dane_cannot_lower_capacity_below_registrations(client_for, cast):
    event = EventFactory(academie=cast.dijon, capacity=5)
    EventRegistrationFactory(event=event, user=cast.referent_a)
    EventRegistrationFactory(event=event, user=referent(cast, cast.school_b, "ref.b@ac-dijon.fr"))
    client = client_for(cast.dane)
    url = reverse("missions:event_edit", args=[event.pk])
    data = extract_form_fields(client.get(url).content, "event-form")
    data["capacity"] = ["1"]
    assert "2 personnes sont déjà inscrites" in text(client.post(url, flat(data)))
    data["capacity"] = ["2"]
    data["title"] = ["Nouveau titre"]
    assert client.post(url, flat(data)).status_code == 302
    event.refresh_from_db()
    assert (event.capacity, event.title) == (2, "Nouveau titre")


def test_dane_records_attendance_and_the_referent_page_lists_attended_events(client_for, cast):
    event = EventFactory(academie=cast.dijon, past=True, title="Formation PAF ENT")
    EventRegistrationFactory(event=event, user=cast.referent_a)
    absent = referent(cast, cast.school_b, "ref.b@ac-dijon.fr")
    EventRegistrationFactory(event=event, user=absent)
    client = client_for(cast.dane)
    detail = client.get(reverse("missions:event_detail", args=[event.pk]))
    assert cast.school_a.name in text(detail)  # the registrants' schools
    data = extract_form_fields(detail.content, "attendance-form")
    data["present"] = [str(cast.referent_a.pk)]
    page = text(client.post(reverse("missions:event_attendance", args=[event.pk]), flat(data), follow=True))
    assert "Présences enregistrées : 1 présent(s)." in page
    assert dict(EventRegistration.objects.values_list("user_id", "attended")) == {
        cast.referent_a.pk: True,
        absent.pk: False,
    }
    year = SchoolYear.current(timezone.localdate(event.starts_at))  # the event's school year, three days ago
    mine = text(client_for(cast.referent_a).get(reverse("missions:activity"), {"annee": year.name}))
    assert "Formation PAF ENT" in mine.split(f"Événements suivis en {year.name}")[1]
    plan_get_or_create(school=cast.school_a, school_year=year)
    allocation = client_for(cast.principal_a).get(reverse("missions:allocation", args=[cast.school_a.uai, year.name]))
    assert "Romain Référent (Formation PAF ENT, " in text(allocation).split("Se former")[1]  # it feeds "Se former"


def test_attendance_waits_for_the_event(client_for, cast):
    event = EventFactory(academie=cast.dijon)
    EventRegistrationFactory(event=event, user=cast.referent_a)
    page = text(
        client_for(cast.dane).post(
            reverse("missions:event_attendance", args=[event.pk]), {"present": [cast.referent_a.pk]}, follow=True
        )
    )
    assert "Les présences se notent une fois l'événement commencé." in page
    assert EventRegistration.objects.get().attended is None


def test_the_calendar_file_describes_the_event(client_for, cast):
    event = EventFactory(
        academie=cast.dijon,
        title="Classe virtuelle de fin d'année, juin; bilan",
        description="Bilan de l'année " + "et perspectives " * 10,
        virtual=True,
    )
    response = client_for(cast.referent_a).get(reverse("missions:event_calendar", args=[event.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    lines = body.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = body.replace("\r\n ", "")
    assert "SUMMARY:Classe virtuelle de fin d'année\\, juin\\; bilan\r\n" in unfolded
    assert f"DTSTART:{event.starts_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}" in unfolded
    assert f"UID:rupn-event-{event.pk}@" in unfolded
    assert "LOCATION:https://classe-virtuelle.ac-dijon.fr/rupn" in unfolded


def test_calendar_lines_fold_without_cutting_a_character():
    event = Event(pk=7, title="é" * 100, starts_at=timezone.now(), ends_at=timezone.now(), place="Dijon")
    lines = event_ics(event).split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    summary = "".join(line[1:] if line.startswith(" ") else line for line in lines if "é" in line)
    assert summary == "SUMMARY:" + "é" * 100


@pytest.mark.parametrize("size", [2, 30])
def test_events_page_query_count_does_not_grow(client_for, cast, size):
    for index in range(size):
        event = EventFactory(academie=cast.dijon, past=index % 2 == 0)
        EventRegistrationFactory(event=event, user=cast.referent_a)
    client = client_for(cast.referent_a)
    client.get(reverse("missions:events"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("missions:events")).status_code == 200
    assert len(queries) == EXPECTED_EVENTS_QUERIES


EXPECTED_EVENTS_QUERIES = 6  # +1: the header (roles and schools)
