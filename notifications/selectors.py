"""Reads of the reminder calendars and of the reminders a user received."""

from django.db.models import QuerySet

from notifications.models import ReminderSettings, SentEmail


def reminder_settings(academie_ids) -> dict[int, ReminderSettings]:
    """Each académie's reminder calendar; an académie without one gets the defaults (one query)."""
    academie_ids = list(academie_ids)
    found = {s.academie_id: s for s in ReminderSettings.objects.filter(academie_id__in=academie_ids).order_by("pk")}
    return {pk: found.get(pk) or ReminderSettings(academie_id=pk) for pk in academie_ids}


def received_reminders(user) -> QuerySet:
    """The reminders e-mailed to this user, newest first."""
    return SentEmail.objects.filter(user=user).exclude(kind="").order_by("-sent_at", "-pk")
