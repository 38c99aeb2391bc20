from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("dane/", views.dashboard, name="dashboard"),
    path("dane/carte.json", views.map_json, name="map_json"),
    path("dane/etablissements/", views.school_table, name="schools"),
    path("dane/etablissements.csv", views.school_table_csv, name="schools_csv"),
    path("dane/etablissements.xlsx", views.school_table_xlsx, name="schools_xlsx"),
]
