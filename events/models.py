"""The DANE's events and their registrations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import Academie


class Event(models.Model):
    """An event of the DANE's offer: a training, the referents' yearly meeting, the virtual class."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Formation (plan académique de formation)")
        MEETING = "meeting", _("Rencontre annuelle des référents")
        VIRTUAL_CLASS = "virtual_class", _("Classe virtuelle de fin d'année")
        OTHER = "other", _("Autre")

    class Audience(models.TextChoices):
        ALL = "all", _("Tous les référents")
        COLLEGES = "colleges", _("Référents des collèges")
        LYCEES = "lycees", _("Référents des lycées")

    academie = models.ForeignKey(Academie, on_delete=models.PROTECT, related_name="events", verbose_name=_("académie"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("présentation"), blank=True)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    link = models.URLField(_("lien de la classe virtuelle"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("nombre de places"), null=True, blank=True)
    audience = models.CharField(_("public"), max_length=20, choices=Audience.choices, default=Audience.ALL)
    created_at = models.DateTimeField(_("publié le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "missions_event"  # the table of its first app, kept when the model moved
        verbose_name = _("événement de la DANE")
        verbose_name_plural = _("événements de la DANE")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["academie", "starts_at"])]
        constraints = [
            models.CheckConstraint(name="event_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
            models.CheckConstraint(name="event_has_place_or_link", condition=~Q(place="") | ~Q(link="")),
            models.CheckConstraint(
                name="event_capacity_positive", condition=Q(capacity__isnull=True) | Q(capacity__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EventRegistration(models.Model):
    """A referent registered for an event; the DANE records whether they attended (None: not yet)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="event_registrations",
        verbose_name=_("inscrit"),
    )
    registered_at = models.DateTimeField(_("inscrit le"), auto_now_add=True)
    attended = models.BooleanField(_("présent"), null=True, blank=True)

    class Meta:
        db_table = "missions_eventregistration"  # the table of its first app, kept when the model moved
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["event_id", "registered_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="registration_unique_per_event")]

    def __str__(self) -> str:
        return f"{self.event} — {self.user}"
