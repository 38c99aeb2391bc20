from django.contrib import admin

from recognition.models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "school_year", "dane_project", "featured"]
    list_filter = ["school_year", "dane_project", "featured"]
    search_fields = ["title", "school__name", "school__uai"]
    raw_id_fields = ["school", "teachers", "referents", "featured_by", "created_by", "updated_by"]
