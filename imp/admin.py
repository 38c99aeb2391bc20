"""IMP reference data (rates, académie settings) and the records, read-only where the services own them."""

from django.contrib import admin

from imp.models import (
    AcademiePolicy,
    AwardEvent,
    BoardOpinion,
    Envelope,
    EnvelopeChange,
    ImpAward,
    ImpRate,
    Leave,
    Replacement,
    ServiceReduction,
)


@admin.register(ImpRate)
class ImpRateAdmin(admin.ModelAdmin):
    list_display = ["amount", "valid_from", "valid_until"]
    list_filter = ["valid_from"]


@admin.register(AcademiePolicy)
class AcademiePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "academie",
        "rupn_min_total",
        "rupn_max_total",
        "rupn_range_scope",
        "ca_first_month",
        "ca_last_month",
    ]


class EnvelopeChangeInline(admin.TabularInline):
    model = EnvelopeChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "changed_by", "before", "after", "source"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Envelope)
class EnvelopeAdmin(admin.ModelAdmin):
    """Envelopes change through the rectorat's pages (with their history); the admin reads them."""

    list_display = ["school", "school_year", "amount", "updated_at", "updated_by"]
    list_filter = ["school_year", "school__departement__academie"]
    search_fields = ["school__uai", "school__name"]
    list_select_related = ["school", "school_year", "updated_by"]
    readonly_fields = ["school", "school_year", "amount", "updated_at", "updated_by"]
    inlines = [EnvelopeChangeInline]

    def has_add_permission(self, request):
        return False


class AwardEventInline(admin.TabularInline):
    model = AwardEvent
    extra = 0
    can_delete = False
    fields = ["at", "by", "kind", "changes", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class LeaveInline(admin.TabularInline):
    model = Leave
    extra = 0
    fields = ["kind", "start_date", "end_date", "salary_percent"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReplacementInline(admin.TabularInline):
    model = Replacement
    extra = 0
    fields = ["person", "kind", "start_date", "end_date"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ImpAward)
class ImpAwardAdmin(admin.ModelAdmin):
    """Awards change through the services (rules, envelope lock, history); the admin reads them."""

    list_display = ["person", "school", "school_year", "mission", "rate", "whole_year", "state"]
    list_filter = ["state", "school_year", "mission", "school__departement__academie"]
    search_fields = ["person__last_name", "school__uai", "school__name"]
    list_select_related = ["person", "school", "school_year", "rate"]
    readonly_fields = [f.name for f in ImpAward._meta.fields]
    inlines = [LeaveInline, ReplacementInline, AwardEventInline]

    def has_add_permission(self, request):
        return False


@admin.register(BoardOpinion)
class BoardOpinionAdmin(admin.ModelAdmin):
    list_display = ["school", "school_year", "body", "date", "opinion", "deliberation_number"]
    list_filter = ["body", "opinion", "school_year"]
    search_fields = ["school__uai", "school__name"]
    list_select_related = ["school", "school_year"]
    readonly_fields = ["school", "school_year", "body", "recorded_at", "recorded_by"]

    def has_add_permission(self, request):
        return False


@admin.register(ServiceReduction)
class ServiceReductionAdmin(admin.ModelAdmin):
    list_display = ["person", "school", "school_year", "mission", "hours"]
    list_filter = ["school_year", "mission"]
    search_fields = ["person__last_name", "school__uai", "school__name"]
    list_select_related = ["person", "school", "school_year"]
    readonly_fields = ["school", "school_year", "person", "mission", "hours", "created_at", "created_by"]

    def has_add_permission(self, request):
        return False
