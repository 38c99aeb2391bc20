"""The mission catalogue and the plans in the Django admin (wording editable by the DANE's staff)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from missions.models import (
    ActivityEntry,
    AllocationPlan,
    Event,
    EventRegistration,
    Mission,
    PlanRow,
    ReminderSettings,
    Review,
    SentEmail,
)


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = ["position", "code", "label", "kind", "min_holders", "max_holders", "blocking"]
    list_display_links = ["code", "label"]
    ordering = ["position"]
    readonly_fields = ["code", "kind"]


class PlanRowInline(admin.TabularInline):
    model = PlanRow
    extra = 0
    fields = ["mission", "service_name", "organisation", "sharing", "sharing_detail", "holders"]
    autocomplete_fields = ["holders"]


@admin.register(AllocationPlan)
class AllocationPlanAdmin(SimpleHistoryAdmin):
    list_display = ["school", "school_year", "state", "updated_at", "submitted_at"]
    list_filter = ["state", "school_year", "school__departement__academie"]
    search_fields = ["school__uai", "school__name"]
    list_select_related = ["school", "school_year"]
    autocomplete_fields = ["school"]
    inlines = [PlanRowInline]
    readonly_fields = ["version", "updated_at", "updated_by", "submitted_at", "submitted_by"]


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


@admin.register(ActivityEntry)
class ActivityEntryAdmin(admin.ModelAdmin):
    list_display = ["date", "person", "mission", "kind", "minutes"]
    list_filter = ["kind", "person__school__departement__academie"]
    search_fields = ["person__last_name", "person__school__uai", "description", "ticket_number"]
    list_select_related = ["person", "mission"]
    autocomplete_fields = ["person"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["school", "school_year", "date", "state"]
    list_filter = ["state", "school_year", "school__departement__academie"]
    search_fields = ["school__uai", "school__name"]
    list_select_related = ["school", "school_year"]
    autocomplete_fields = ["school", "principal", "dane_adviser", "referents"]
    readonly_fields = ["version", "done_at", "created_at", "created_by", "updated_at", "updated_by"]


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
