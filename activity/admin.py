"""The activity log and the points d'étape in the Django admin."""

from django.contrib import admin

from activity.models import ActivityEntry, Review


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
