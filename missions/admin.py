"""The mission catalogue and the plans in the Django admin (wording editable by the DANE's staff)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from missions.models import AllocationPlan, Mission, PlanRow


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
