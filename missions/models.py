"""The mission catalogue and each school's yearly allocation plan."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from schools.models import Academie, AuthorizedAction, Person, School, SchoolYear


class Mission(models.Model):
    """A row of the seed's table. Rules are data, read by missions.rules."""

    class Kind(models.TextChoices):
        STANDARD = "standard", _("Mission")
        GROUP = "group", _("Groupe de missions")
        DERIVED = "derived", _("Déduite du tableau")
        PER_SERVICE = "per_service", _("Une ligne par service")

    code = models.CharField(_("code"), max_length=50, unique=True)
    label = models.CharField(_("mission"), max_length=200)
    proposed_organisation = models.CharField(_("organisation proposée"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("groupe")
    )
    position = models.PositiveSmallIntegerField(_("ordre"))
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, default=Kind.STANDARD)
    min_holders = models.PositiveSmallIntegerField(_("nombre minimal de responsables"), default=0)
    max_holders = models.PositiveSmallIntegerField(_("nombre maximal de responsables"), null=True, blank=True)
    blocking = models.BooleanField(_("bloque la soumission au CA"), default=False)
    requires_action = models.CharField(
        _("action à autoriser par la collectivité"), max_length=20, choices=AuthorizedAction.Action.choices, blank=True
    )
    requires_tablets = models.BooleanField(_("seulement si l'établissement déclare des tablettes"), default=False)

    class Meta:
        verbose_name = _("mission")
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                name="mission_max_holders_not_below_min",
                condition=Q(max_holders__isnull=True) | Q(max_holders__gte=models.F("min_holders")),
            ),
        ]

    def __str__(self) -> str:
        return self.label


class AllocationPlan(models.Model):
    """A school's table of who does what for one school year."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Soumis au conseil d'administration")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="plans", verbose_name=_("établissement"))
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="plans", verbose_name=_("année"))
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.DRAFT)
    has_tablets = models.BooleanField(_("l'établissement a des tablettes"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("soumis le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    copied_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("repris du plan"),
        help_text=_("Le plan d'une année précédente dont ce brouillon est la copie (rentrée)."),
    )
    # Audit (README "Audit"): who changed what; history_user and history_date stand for updated_by/updated_at.
    history = HistoricalRecords(excluded_fields=["version", "updated_at", "updated_by"])

    class Meta:
        verbose_name = _("plan de répartition")
        verbose_name_plural = _("plans de répartition")
        ordering = ["school_year_id", "school_id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="plan_unique_per_school_year"),
            models.CheckConstraint(
                name="plan_submitted_has_date",
                condition=Q(state="draft") | Q(submitted_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} — {self.school_year}"


class PlanRow(models.Model):
    """One mission of a plan: who holds it and how it is organised."""

    class Sharing(models.TextChoices):
        NONE = "", _("Non partagée")
        WEEKDAY = "weekday", _("Par jour de la semaine")
        PROJECT = "project", _("Par projet")
        DOSSIER = "dossier", _("Par dossier")

    plan = models.ForeignKey(AllocationPlan, on_delete=models.CASCADE, related_name="rows")
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    service_name = models.CharField(
        _("service"),
        max_length=100,
        blank=True,
        help_text=_("Pour une ligne « service pédagogique » : BRNE, Pearltrees…"),
    )
    organisation = models.TextField(_("organisation retenue"), blank=True)
    sharing = models.CharField(_("partage"), max_length=20, choices=Sharing.choices, blank=True)
    sharing_detail = models.CharField(_("précisions sur le partage"), max_length=300, blank=True)
    holders = models.ManyToManyField(Person, blank=True, related_name="plan_rows", verbose_name=_("responsables"))
    left_by = models.CharField(
        _("tenue l'an dernier par des personnes parties"),
        max_length=300,
        blank=True,
        help_text=_("Rempli par la reprise de rentrée ; effacé quand la ligne a de nouveau un responsable."),
    )
    # left_by holds names: kept out of the history, which keeps only ids of people (anonymization stays whole).
    history = HistoricalRecords(excluded_fields=["left_by"], m2m_fields=[holders])

    class Meta:
        verbose_name = _("ligne du plan")
        verbose_name_plural = _("lignes du plan")
        ordering = ["plan_id", "mission__position", "service_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "mission", "service_name"], name="plan_row_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.mission.label} {self.service_name}".strip()

    @property
    def sharing_applies(self) -> bool:
        """Sharing details concern a row of two holders or more; on a row of one they are kept, not shown."""
        return bool(self.sharing) and len(self.holders.all()) >= 2

    @property
    def sharing_text(self) -> str:
        """How the row is shared, as printed ("Par jour de la semaine : …"), or "" when it does not apply."""
        if not self.sharing_applies:
            return ""
        display = self.get_sharing_display()
        return f"{display} : {self.sharing_detail}" if self.sharing_detail else display

    @property
    def sharing_set_aside(self) -> bool:
        """Sharing details recorded on a row that has fallen to one holder (or none)."""
        return bool(self.sharing) and not self.sharing_applies


class SentEmail(models.Model):
    """One row per e-mail sent: claiming the key first makes a job safe to run twice.

    A reminder's key names its kind, school year, object, period and recipient (missions.reminders), so each
    reminder is sent once; kind, user and link let the recipient find it again on "Mes rappels".
    """

    key = models.CharField(max_length=200, unique=True)
    recipient = models.EmailField()
    subject = models.CharField(max_length=300)
    sent_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(_("type de rappel"), max_length=50, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sent_emails",
        verbose_name=_("destinataire"),
    )
    link = models.CharField(_("lien"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("courriel envoyé")
        verbose_name_plural = _("courriels envoyés")
        ordering = ["-sent_at", "pk"]

    def __str__(self) -> str:
        return self.key


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
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["event_id", "registered_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="registration_unique_per_event")]

    def __str__(self) -> str:
        return f"{self.event} — {self.user}"


def _month_day(month: int, day: int, year: int) -> datetime.date:
    return datetime.date(year, month, min(day, 28 if month == 2 else day))


class ReminderSettings(models.Model):
    """An académie's reminder dates; an académie without a row gets the defaults of the fields."""

    academie = models.OneToOneField(
        Academie, on_delete=models.CASCADE, related_name="reminder_settings", verbose_name=_("académie")
    )
    ca_start_month = models.PositiveSmallIntegerField(_("rappels CA : mois de début"), default=2)
    ca_start_day = models.PositiveSmallIntegerField(_("rappels CA : jour de début"), default=1)
    ca_end_month = models.PositiveSmallIntegerField(_("rappels CA : mois de fin"), default=6)
    ca_end_day = models.PositiveSmallIntegerField(_("rappels CA : jour de fin"), default=30)
    review_deadline_month = models.PositiveSmallIntegerField(_("point d'étape : mois limite"), default=3)
    review_deadline_day = models.PositiveSmallIntegerField(_("point d'étape : jour limite"), default=31)
    event_days_before = models.PositiveSmallIntegerField(_("rappel d'événement : jours avant"), default=7)
    default_dane_adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("conseiller DANE prévenu par défaut"),
        help_text=_("Prévenu quand un établissement sans point d'étape n'a pas de conseiller désigné."),
    )

    class Meta:
        verbose_name = _("calendrier des rappels")
        verbose_name_plural = _("calendriers des rappels")
        ordering = ["academie_id"]
        constraints = [
            models.CheckConstraint(
                name="reminder_settings_valid_months",
                condition=Q(ca_start_month__range=(1, 12), ca_end_month__range=(1, 12))
                & Q(review_deadline_month__range=(1, 12)),
            ),
            models.CheckConstraint(
                name="reminder_settings_valid_days",
                condition=Q(ca_start_day__range=(1, 31), ca_end_day__range=(1, 31))
                & Q(review_deadline_day__range=(1, 31)),
            ),
            models.CheckConstraint(name="reminder_settings_event_days", condition=Q(event_days_before__range=(1, 60))),
        ]

    def __str__(self) -> str:
        return str(self.academie)

    def clean(self):
        from django.core.exceptions import ValidationError

        for month, day in (
            (self.ca_start_month, self.ca_start_day),
            (self.ca_end_month, self.ca_end_day),
            (self.review_deadline_month, self.review_deadline_day),
        ):
            try:
                datetime.date(2027, month, day)
            except (TypeError, ValueError):
                raise ValidationError(
                    _("Le %(day)s/%(month)s n'est pas une date.") % {"day": day, "month": month}
                ) from None

    @staticmethod
    def _in_year(school_year: SchoolYear, month: int, day: int) -> datetime.date:
        """The day of this month in the school year (September to August)."""
        year = school_year.start_year if month >= 9 else school_year.start_year + 1
        return _month_day(month, day, year)

    def ca_window(self, school_year: SchoolYear) -> tuple[datetime.date, datetime.date]:
        """From when to when the principal is reminded, weekly, of next year's plan (inclusive)."""
        return (
            self._in_year(school_year, self.ca_start_month, self.ca_start_day),
            self._in_year(school_year, self.ca_end_month, self.ca_end_day),
        )

    def review_deadline(self, school_year: SchoolYear) -> datetime.date:
        """The day by which the school's yearly review should be done."""
        return self._in_year(school_year, self.review_deadline_month, self.review_deadline_day)
