"""The referents' activity log and the points d'étape."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from missions.models import Mission
from schools.access import Perm
from schools.models import Person, School, SchoolYear


class ActivityEntry(models.Model):
    """What a referent did, for how long, for which mission: the log that the yearly review rests on."""

    class Kind(models.TextChoices):
        ACCOMPANIMENT = "accompaniment", _("Accompagnement de collègues")
        TRAINING_GIVEN = "training_given", _("Formation animée")
        TICKET = "ticket", _("Ticket transmis au prestataire de la collectivité")
        EQUIPMENT = "equipment", _("Demande d'équipement")
        WEBSITE = "website", _("Site web")
        ENT = "ent", _("Administration de l'ENT")
        WATCH = "watch", _("Veille et autoformation")
        OTHER = "other", _("Autre")

    MAX_MINUTES = 12 * 60

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="activity_entries", verbose_name=_("référent")
    )
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+", verbose_name=_("mission"))
    date = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("durée (minutes)"))
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    ticket_number = models.CharField(_("numéro du ticket"), max_length=50, blank=True)
    ticket_url = models.URLField(_("lien vers le ticket"), max_length=300, blank=True)
    description = models.CharField(_("description"), max_length=500)
    created_at = models.DateTimeField(_("saisi le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        db_table = "missions_activityentry"  # the table of its first app, kept when the model moved
        verbose_name = _("activité")
        verbose_name_plural = _("activités")
        ordering = ["-date", "-pk"]
        # (person, date) for the referent's log; mission and minutes too so that the dashboard's sums of a school's
        # hours by mission read the index only (dashboard.selectors.FIGURES_SQL, bench/dashboard.py).
        indexes = [models.Index(fields=["person", "date", "mission", "minutes"], name="activity_person_date_cover")]
        constraints = [
            models.CheckConstraint(
                name="activity_minutes_in_range",
                condition=Q(minutes__gte=1) & Q(minutes__lte=12 * 60),
            ),
            models.CheckConstraint(
                name="activity_ticket_has_number",
                condition=(Q(kind="ticket") & ~Q(ticket_number=""))
                | (~Q(kind="ticket") & Q(ticket_number="") & Q(ticket_url="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} — {self.person} — {self.mission}"


class Review(models.Model):
    """A point d'étape: scheduled with its participants, then done once its minutes are recorded."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Prévu")
        DONE = "done", _("Fait")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("établissement")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("année")
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("lieu ou lien de la visioconférence"), max_length=300, blank=True)
    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("chef d'établissement"),
    )
    dane_adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("conseiller de la DANE"),
    )
    referents = models.ManyToManyField(Person, blank=True, related_name="reviews", verbose_name=_("référents"))
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.SCHEDULED)
    achievements = models.TextField(_("ce qui a été fait"), blank=True)
    difficulties = models.TextField(_("difficultés"), blank=True)
    decisions = models.TextField(_("décisions"), blank=True)
    training_needs = models.TextField(_("besoins de formation"), blank=True)
    done_at = models.DateTimeField(_("compte rendu saisi le"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "missions_review"  # the table of its first app, kept when the model moved
        verbose_name = _("point d'étape")
        verbose_name_plural = _("points d'étape")
        ordering = ["school_year_id", "date", "pk"]
        indexes = [models.Index(fields=["school_year", "school", "state"])]
        constraints = [
            models.CheckConstraint(
                name="review_done_has_date", condition=Q(state="scheduled") | Q(done_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} — {self.date}"

    @property
    def is_done(self) -> bool:
        return self.state == self.State.DONE

    def abilities(self, perms) -> dict[str, bool]:
        """What a user holding perms in the review's school may do with it now (REVIEW_TRANSITIONS)."""
        return {
            action: self.state in sources and perm in perms
            for action, (sources, _target, perm) in REVIEW_TRANSITIONS.items()
        }


# The one table of what may happen to a point d'étape: action -> (states it may start from, state it leads to or
# None when the state stays, the perm it takes). Its minutes may be completed after it is done.
REVIEW_TRANSITIONS = {
    "reschedule": ((Review.State.SCHEDULED,), None, Perm.MANAGE_REVIEWS),
    "delete": ((Review.State.SCHEDULED,), None, Perm.MANAGE_REVIEWS),
    "record_minutes": ((Review.State.SCHEDULED, Review.State.DONE), Review.State.DONE, Perm.MANAGE_REVIEWS),
}
