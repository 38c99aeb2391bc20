"""Changes to the DANE's events and registrations: keyword-only, one transaction, DomainError on refusal."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event, EventRegistration
from rupn.lib.errors import DomainError
from schools.models import Academie, Role, School


@dataclass
class EventInput:
    kind: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    audience: str = Event.Audience.ALL
    description: str = ""
    place: str = ""
    link: str = ""
    capacity: int | None = None


def _check_event(data: EventInput) -> None:
    if data.ends_at <= data.starts_at:
        raise DomainError(_("La fin doit suivre le début de l'événement."))
    if not (data.place.strip() or data.link.strip()):
        raise DomainError(_("Indiquez le lieu, ou le lien de la classe virtuelle."))
    if data.capacity is not None and data.capacity < 1:
        raise DomainError(_("Le nombre de places est d'au moins 1 (laissez vide : sans limite)."))


@transaction.atomic
def event_create(*, academie: Academie, data: EventInput, by) -> Event:
    """Publish an event of the DANE for the académie's referents."""
    _check_event(data)
    return Event.objects.create(
        academie=academie,
        kind=data.kind,
        title=data.title.strip(),
        description=data.description.strip(),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        place=data.place.strip(),
        link=data.link.strip(),
        capacity=data.capacity,
        audience=data.audience,
        created_by=by,
    )


@transaction.atomic
def event_update(*, event: Event, data: EventInput, by) -> Event:
    """Change an event; its capacity may not fall below the people already registered."""
    _check_event(data)
    locked = Event.objects.select_for_update().get(pk=event.pk)
    registered = EventRegistration.objects.filter(event=locked).count()
    if data.capacity is not None and data.capacity < registered:
        raise DomainError(
            _("%(count)d personnes sont déjà inscrites : le nombre de places ne peut pas être inférieur.")
            % {"count": registered}
        )
    for name in ("kind", "title", "description", "place", "link"):
        setattr(locked, name, getattr(data, name).strip())
    locked.starts_at, locked.ends_at = data.starts_at, data.ends_at
    locked.capacity, locked.audience = data.capacity, data.audience
    locked.save()
    return locked


def event_audience_q(event: Event) -> Q:
    """The referent roles that may register for this event (its académie, and its audience)."""
    q = Q(kind=Role.Kind.REFERENT, school__departement__academie_id=event.academie_id)
    if event.audience == Event.Audience.COLLEGES:
        q &= Q(school__kind=School.Kind.COLLEGE)
    elif event.audience == Event.Audience.LYCEES:
        q &= ~Q(school__kind=School.Kind.COLLEGE)
    return q


@transaction.atomic
def event_register(*, event: Event, user) -> EventRegistration:
    """Register a referent; the event row is locked so that two people never take the last seat together."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.starts_at <= timezone.now():
        raise DomainError(_("Les inscriptions sont closes : l'événement a commencé."))
    if not user.roles.filter(event_audience_q(locked)).exists():
        raise DomainError(
            _("Cet événement s'adresse aux %(audience)s de l'académie.")
            % {"audience": locked.get_audience_display().lower()}
        )
    if EventRegistration.objects.filter(event=locked, user=user).exists():
        raise DomainError(_("Vous êtes déjà inscrit(e) à cet événement."))
    if locked.capacity is not None and EventRegistration.objects.filter(event=locked).count() >= locked.capacity:
        raise DomainError(_("Cet événement est complet : il ne reste aucune place."))
    return EventRegistration.objects.create(event=locked, user=user)


@transaction.atomic
def event_unregister(*, event: Event, user) -> None:
    """Withdraw a registration, before the event starts."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.starts_at <= timezone.now():
        raise DomainError(_("L'événement a commencé : l'inscription ne peut plus être retirée."))
    deleted, _details = EventRegistration.objects.filter(event=locked, user=user).delete()
    if not deleted:
        raise DomainError(_("Vous n'êtes pas inscrit(e) à cet événement."))


@transaction.atomic
def event_record_attendance(*, event: Event, present_user_ids: set[int], by) -> int:
    """Record who attended, once the event has started; returns how many were present."""
    if event.starts_at > timezone.now():
        raise DomainError(_("Les présences se notent une fois l'événement commencé."))
    registrations = EventRegistration.objects.filter(event=event)
    registered = set(registrations.values_list("user_id", flat=True).order_by())
    if not present_user_ids <= registered:
        raise DomainError(_("Une personne cochée n'est pas inscrite à cet événement."))
    registrations.filter(user_id__in=present_user_ids).update(attended=True)
    registrations.exclude(user_id__in=present_user_ids).update(attended=False)
    return len(present_user_ids)
