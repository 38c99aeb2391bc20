"""Reference data in the Django admin: académies, départements, collectivités, schools, years, staff, accounts."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from schools.models import (
    Academie,
    AuthorizedAction,
    Collectivity,
    Departement,
    EquipmentRequest,
    Person,
    ProcedureSheet,
    Role,
    School,
    SchoolMeans,
    SchoolYear,
    User,
)


@admin.register(Academie)
class AcademieAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "academie"]
    list_filter = ["academie"]
    search_fields = ["name", "code"]


@admin.register(Collectivity)
class CollectivityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["uai", "name", "kind", "commune", "departement", "collectivity", "is_public", "is_active"]
    list_filter = ["kind", "departement__academie", "departement", "is_public", "is_active", "collectivity_override"]
    search_fields = ["uai", "name", "commune"]
    list_select_related = ["departement", "collectivity"]
    autocomplete_fields = ["departement", "collectivity"]

    def save_model(self, request, obj, form, change):
        # A collectivité changed by hand is kept by the next directory imports.
        if change and "collectivity" in form.changed_data:
            obj.collectivity_override = True
        super().save_model(request, obj, form, change)


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ["__str__", "start_year"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "status", "school", "leaving", "is_active", "left_on"]
    list_filter = ["status", "leaving", "is_active", "full_service_cpge"]
    search_fields = ["last_name", "first_name", "email", "school__uai", "school__name"]
    list_select_related = ["school"]
    autocomplete_fields = ["school", "user"]


class RoleInline(admin.TabularInline):
    model = Role
    extra = 1
    autocomplete_fields = ["school", "academie", "collectivity"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [RoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name")}),
        (_("Droits"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(AuthorizedAction)
class AuthorizedActionAdmin(SimpleHistoryAdmin):
    list_display = ["collectivity", "school_year", "label", "school", "convention_reference", "convention_date"]
    list_filter = ["action", "school_year", "collectivity"]
    autocomplete_fields = ["collectivity", "school"]
    readonly_fields = ["created_at", "created_by"]


@admin.register(ProcedureSheet)
class ProcedureSheetAdmin(admin.ModelAdmin):
    """Read-only here: the collectivité uploads and validates its sheets; the files are served only by RUPN's
    permission-checked download views, never by a media URL."""

    list_display = ["title", "action", "original_name", "size", "uploaded_at", "validated", "validated_at"]
    list_filter = ["validated", "action__collectivity"]
    search_fields = ["title", "original_name"]
    list_select_related = ["action__collectivity", "action__school_year"]
    exclude = ["file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SchoolMeans)
class SchoolMeansAdmin(admin.ModelAdmin):
    list_display = ["school", "school_year", "phone", "notice_board", "intervention_book", "ticket_server", "office"]
    list_filter = ["school_year"]
    search_fields = ["school__uai", "school__name"]
    list_select_related = ["school", "school_year"]
    autocomplete_fields = ["school"]
    readonly_fields = ["updated_at", "updated_by"]


@admin.register(EquipmentRequest)
class EquipmentRequestAdmin(admin.ModelAdmin):
    list_display = ["school", "school_year", "priority", "item", "quantity", "cost_estimate", "state"]
    list_filter = ["state", "school_year"]
    search_fields = ["school__uai", "school__name", "item"]
    list_select_related = ["school", "school_year"]
    autocomplete_fields = ["school"]
    readonly_fields = ["created_at", "created_by", "sent_at", "sent_by", "answered_at", "answered_by"]
