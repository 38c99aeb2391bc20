"""E-mails sent once and the académies' reminder calendars."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.models import Academie, SchoolYear


class SentEmail(models.Model):
    """One row per e-mail sent: claiming the key first makes a job safe to run twice.

    A reminder's key names its kind, school year, object, period and recipient (notifications.reminders), so each
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
        db_table = "missions_sentemail"  # the table of its first app, kept when the model moved
        verbose_name = _("courriel envoyé")
        verbose_name_plural = _("courriels envoyés")
        ordering = ["-sent_at", "pk"]

    def __str__(self) -> str:
        return self.key


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
        db_table = "missions_remindersettings"  # the table of its first app, kept when the model moved
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


class Outbox(models.Model):
    """A job to queue, written in the transaction of the change that needs it (notifications.outbox).

    It is sent to the broker once that transaction commits; if the broker does not answer then, the row stays
    pending and the beat job notifications.tasks.outbox_drain sends it later. The jobs are safe to run twice.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tâche en attente d'envoi")
        verbose_name_plural = _("tâches en attente d'envoi")
        ordering = ["created", "pk"]
        indexes = [
            models.Index(fields=["created"], condition=Q(dispatched_at__isnull=True), name="outbox_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
