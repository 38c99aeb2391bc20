from django.urls import path

from recognition import views

app_name = "recognition"

urlpatterns = [
    path("etablissements/<str:uai>/<str:year>/projets/", views.projects, name="projects"),
    path("etablissements/<str:uai>/<str:year>/projets/<int:pk>/", views.project_edit, name="project_edit"),
    path(
        "etablissements/<str:uai>/<str:year>/projets/<int:pk>/supprimer/",
        views.project_delete_view,
        name="project_delete",
    ),
    path("dane/projets/", views.dane_projects, name="dane_projects"),
    path("dane/projets.csv", views.dane_projects_csv, name="dane_projects_csv"),
    path("dane/projets/<int:pk>/valoriser/", views.project_feature_view, name="project_feature"),
    path("mon-parcours/", views.my_record, name="my_record"),
]
