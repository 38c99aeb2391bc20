"""The DANE's events and their registrations in the Django admin."""

from django.contrib import admin

from events.models import Event, EventRegistration


class EventRegistrationInline(admin.TabularInline):
    model = EventRegistration
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["registered_at"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "academie", "kind", "starts_at", "capacity"]
    list_filter = ["kind", "academie"]
    search_fields = ["title"]
    inlines = [EventRegistrationInline]
