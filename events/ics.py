"""An iCalendar (RFC 5545) file for one event, attached to the reminder and offered for download."""

import datetime
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from events.models import Event

PRODID = "-//RUPN//Evenements de la DANE//FR"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not allowed in a TEXT value, line breaks aside


def one_line_breaks(text: str) -> str:
    """CRLF and a bare CR become LF, the one line break an iCalendar TEXT value can carry (written "\\n")."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _escape(text: str) -> str:
    """A TEXT value (RFC 5545, 3.3.11): backslash, ";" and "," escaped, every line break (CRLF, LF or a bare CR)
    written "\\n", and the other control characters, which the RFC does not allow, left out."""
    text = CONTROL_CHARACTERS.sub("", one_line_breaks(text))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545, 3.1)."""
    data = line.encode()
    parts: list[str] = []
    start = 0
    while len(data) - start > (limit := 74 if parts else 75):  # a continuation line starts with a space
        end = start + limit
        while (data[end] & 0xC0) == 0x80:  # never cut inside a UTF-8 character
            end -= 1
        parts.append(data[start:end].decode())
        start = end
    parts.append(data[start:].decode())
    return "\r\n ".join(parts)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def event_ics(event: Event, *, now: datetime.datetime | None = None) -> str:
    """The event as a VCALENDAR with one VEVENT, CRLF line endings."""
    host = urlsplit(settings.SITE_URL).hostname or "rupn"
    url = settings.SITE_URL + reverse("missions:event_detail", args=[event.pk])
    description = "\n\n".join(part for part in (event.description, event.link, url) if part)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:rupn-event-{event.pk}@{host}",
        f"DTSTAMP:{_utc(now or datetime.datetime.now(datetime.UTC))}",
        f"DTSTART:{_utc(event.starts_at)}",
        f"DTEND:{_utc(event.ends_at)}",
        f"SUMMARY:{_escape(event.title)}",
        f"DESCRIPTION:{_escape(description)}",
        f"LOCATION:{_escape(event.place or event.link)}",
        f"URL:{url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
