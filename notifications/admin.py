"""The e-mails sent and the reminder calendars in the Django admin."""

from django.contrib import admin

from notifications.models import ReminderSettings, SentEmail


@admin.register(SentEmail)
class SentEmailAdmin(admin.ModelAdmin):
    list_display = ["key", "recipient", "kind", "subject", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["key", "recipient"]
    readonly_fields = ["key", "recipient", "subject", "sent_at", "kind", "user", "link"]


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    list_display = ["academie", "ca_start_month", "ca_start_day", "ca_end_month", "ca_end_day", "review_deadline_month"]
    list_select_related = ["academie"]
    autocomplete_fields = ["default_dane_adviser"]
