"""Reference data in the Django admin: académies, départements, collectivités, schools, years, staff, accounts."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from schools.models import (
    Academie,
    AuthorizedAction,
    Collectivity,
    Departement,
    Person,
    Role,
    School,
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
    list_filter = ["kind", "departement__academie", "departement", "is_public", "is_active"]
    search_fields = ["uai", "name", "commune"]
    list_select_related = ["departement", "collectivity"]
    autocomplete_fields = ["departement", "collectivity"]


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ["__str__", "start_year"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "status", "school", "leaving", "is_active"]
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
class AuthorizedActionAdmin(admin.ModelAdmin):
    list_display = ["collectivity", "school_year", "action", "school", "convention_reference", "convention_date"]
    list_filter = ["action", "school_year", "collectivity"]
    autocomplete_fields = ["collectivity", "school"]
