"""Reads of the DANE's events and their registrations."""

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from events.models import Event, EventRegistration
from schools.access import visible_academie_ids
from schools.models import Person, Role, SchoolYear


def visible_events(user) -> QuerySet:
    """Events of the académies the user reaches, with their registration count and the user's registration."""
    mine = EventRegistration.objects.filter(event=OuterRef("pk"), user=user)
    return (
        Event.objects.filter(academie_id__in=list(visible_academie_ids(user)))
        .select_related("academie")
        .annotate(
            registered=Count("registrations"),
            is_registered=Exists(mine),
            attended_by_me=Exists(mine.filter(attended=True)),
        )
        .order_by("starts_at", "pk")
    )


def event_lists(user, *, now: datetime.datetime | None = None, past_days: int = 365) -> tuple[list, list]:
    """Upcoming events (not yet ended) and past events of the last year, for the events page (one query)."""
    now = now or timezone.now()
    events = list(visible_events(user).filter(ends_at__gte=now - datetime.timedelta(days=past_days)))
    return [e for e in events if e.ends_at >= now], [e for e in reversed(events) if e.ends_at < now]


def event_registrations(event: Event) -> list[EventRegistration]:
    """Who registered, with the school(s) where they are referents (two queries)."""
    return list(
        EventRegistration.objects.filter(event=event)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "user__roles",
                queryset=Role.objects.filter(kind=Role.Kind.REFERENT).select_related("school").order_by("pk"),
                to_attr="referent_roles",
            )
        )
        .order_by("user__last_name", "user__first_name", "pk")
    )


def attended_events(user, school_year: SchoolYear | None = None) -> list[Event]:
    """The events the user attended (in the school year, if given), oldest first (one query)."""
    events = Event.objects.filter(registrations__user=user, registrations__attended=True)
    if school_year is not None:
        events = events.filter(starts_at__date__range=(school_year.start_date, school_year.end_date))
    return list(events.order_by("starts_at", "pk"))


def upcoming_registrations(user) -> list[Event]:
    """The events the user registered for and that have not ended (one query)."""
    return list(Event.objects.filter(registrations__user=user, ends_at__gte=timezone.now()).order_by("starts_at", "pk"))


def staff_training_events(staff: list[Person], school_year: SchoolYear) -> list[dict]:
    """For "Se former": the DANE events each staff member with an account attended in the year (one query)."""
    people_by_user: dict[int, list[Person]] = {}
    for person in staff:
        if person.user_id:
            people_by_user.setdefault(person.user_id, []).append(person)
    attended = (
        EventRegistration.objects.filter(
            user_id__in=list(people_by_user),
            attended=True,
            event__starts_at__date__range=(school_year.start_date, school_year.end_date),
        )
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )
    events: dict[int, list[Event]] = {}
    for registration in attended:
        for person in people_by_user[registration.user_id]:
            events.setdefault(person.pk, []).append(registration.event)
    return [{"person": p, "events": events[p.pk]} for p in staff if p.pk in events]
