"""The history pages (URL namespace "audit")."""

from django.urls import path

from portal import audit_views

app_name = "audit"

urlpatterns = [
    path("etablissements/<str:uai>/historique/", audit_views.school_history, name="school"),
    path("dane/historique/", audit_views.academie_history, name="academie"),
]
