"""Calendar text (issue 16, point 7): a bare CR, a CRLF or an LF in an event's title, description or place is
escaped as RFC 5545 asks, and an independent parser (icalendar) reads the event back identical."""

import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from events.ics import event_ics
from events.models import Event
from tests.factories import EventFactory
from tests.utils import extract_form_fields, flat

TRICKY = {
    "bare CR": "Atelier\rSUMMARY:faux",
    "CRLF": "Atelier\r\nEND:VEVENT",
    "LF": "Atelier\nBEGIN:VALARM",
    "escapes": "Ateliers ; tablettes, ENT \\ Pronote",
    "long and accented": "Réunion des référents numériques " * 5 + "\r fin",
}


def parsed_event(ics: str) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_line_breaks_are_escaped_and_come_back_as_line_breaks(db, text):
    event = EventFactory(title=text, description=text, place=text, link="")
    ics = event_ics(event)
    assert all("\r" not in line and "\n" not in line for line in ics.split("\r\n"))
    vevent = parsed_event(ics)
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert str(vevent["SUMMARY"]) == expected
    assert str(vevent["LOCATION"]) == expected
    assert str(vevent["DESCRIPTION"]).startswith(expected + "\n\n")
    assert len(calendar_components(ics)) == 1  # nothing injected: one VEVENT, no VALARM


def calendar_components(ics: str) -> list[str]:
    return [component.name for component in icalendar.Calendar.from_ical(ics).walk() if component.name != "VCALENDAR"]


def test_an_event_published_with_line_breaks_comes_back_identical_from_its_ics(client_for, cast):
    client = client_for(cast.dane)
    url = reverse("missions:event_create")
    data = extract_form_fields(client.get(url).content, "event-form")
    start = (timezone.localtime() + datetime.timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)
    data.update(
        kind=["meeting"],
        title=["Rencontre\rdes référents ; ENT, tablettes"],
        description=["Programme :\r\n- accueil\r- ateliers\n- bilan"],
        starts_at=[start.strftime("%Y-%m-%dT%H:%M")],
        ends_at=[(start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")],
        place=["Rectorat\rsalle 2"],
        audience=["all"],
    )
    client.post(url, flat(data))
    event = Event.objects.get()
    assert "\r" not in event.title + event.description + event.place  # one kind of line break is kept
    response = client_for(cast.referent_a).get(reverse("missions:event_calendar", args=[event.pk]))
    vevent = parsed_event(response.content.decode())
    assert str(vevent["SUMMARY"]) == event.title == "Rencontre\ndes référents ; ENT, tablettes"
    assert str(vevent["LOCATION"]) == event.place
    assert str(vevent["DESCRIPTION"]).split("\n\n")[0] == event.description
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.ends_at


def test_a_control_character_in_an_event_is_a_message(client_for, cast):
    client = client_for(cast.dane)
    url = reverse("missions:event_create")
    data = extract_form_fields(client.get(url).content, "event-form")
    data.update(
        kind=["meeting"],
        title=["Ren\x01contre"],
        starts_at=["2030-01-10T09:00"],
        ends_at=["2030-01-10T12:00"],
        place=["Dijon"],
        audience=["all"],
    )
    response = client.post(url, flat(data))
    assert "Ce texte contient un caractère de contrôle invisible" in response.content.decode()
    assert not Event.objects.exists()
