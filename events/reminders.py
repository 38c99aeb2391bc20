"""The events' reminder (loaded by NotificationsConfig.ready): an event in seven days, with its .ics file."""

import datetime
from collections import defaultdict
from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.ics import event_ics
from events.models import Event, EventRegistration
from notifications.reminders import Outgoing, reminder, settings_by_academie
from schools.models import SchoolYear, User


@reminder("event_soon", label=_("Événement de la DANE dans une semaine"))
def event_soon(today: datetime.date, only: int | None = None) -> Iterator[Outgoing]:
    """Seven days before an event (académie setting): its registered people, with the event as an .ics file."""
    academie_settings = settings_by_academie(today)
    horizon = max((s.event_days_before for s in academie_settings.values()), default=7)
    events = Event.objects.filter(
        starts_at__date__gt=today, starts_at__date__lte=today + datetime.timedelta(days=horizon)
    )
    if only is not None:
        events = events.filter(pk=only)
    events = [
        e
        for e in events.order_by("starts_at", "pk")
        if timezone.localdate(e.starts_at)
        <= today + datetime.timedelta(days=academie_settings[e.academie_id].event_days_before)
    ]
    registrations = (
        EventRegistration.objects.filter(event__in=[e.pk for e in events], user__is_active=True)
        .select_related("user")
        .order_by("event_id", "pk")
    )
    by_event: dict[int, list[User]] = defaultdict(list)
    for registration in registrations:
        by_event[registration.event_id].append(registration.user)
    for event in events:
        attachment = ("evenement-rupn.ics", event_ics(event), "text/calendar")
        link = reverse("missions:event_detail", args=[event.pk])
        start_year = SchoolYear.start_year_for(timezone.localdate(event.starts_at))
        for user in by_event.get(event.pk, []):
            yield Outgoing(
                object_id=event.pk,
                school_year=start_year,
                user=user,
                link=link,
                context={"event": event},
                attachments=(attachment,),
            )
