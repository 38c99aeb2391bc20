from django.urls import path

from schools import collectivity_views, means_views, sts_views, views

app_name = "schools"  # the school page (schools:detail) is portal.views_school's: see rupn/urls.py

urlpatterns = [
    path("", views.home, name="home"),
    path("etablissements/<str:uai>/personnels/", views.staff_list, name="staff"),
    path("etablissements/<str:uai>/personnels/<int:pk>/", views.person_edit, name="person_edit"),
    path("etablissements/<str:uai>/personnels/sts-web/", sts_views.staff_sts, name="staff_sts"),
    path("etablissements/<str:uai>/fiches/<int:pk>/", collectivity_views.school_procedure_sheet, name="school_sheet"),
    path("etablissements/<str:uai>/<str:year>/moyens/", means_views.means, name="means"),
    path("etablissements/<str:uai>/<str:year>/equipements/", means_views.equipment, name="equipment"),
    path(
        "etablissements/<str:uai>/<str:year>/equipements/<int:pk>/",
        means_views.equipment_edit,
        name="equipment_edit",
    ),
    path("dane/import-etablissements/", views.directory_import, name="directory_import"),
    path("collectivite/", collectivity_views.collectivity_home, name="collectivity_home"),
    path("collectivite/<str:code>/", collectivity_views.collectivity_detail, name="collectivity_detail"),
    path(
        "collectivite/<str:code>/<str:year>/actions/",
        collectivity_views.collectivity_actions_page,
        name="collectivity_actions",
    ),
    path(
        "collectivite/<str:code>/actions/<int:pk>/retirer/",
        collectivity_views.collectivity_action_delete,
        name="collectivity_action_delete",
    ),
    path(
        "collectivite/<str:code>/fiches/<int:pk>/valider/",
        collectivity_views.procedure_sheet_validate_view,
        name="sheet_validate",
    ),
    path(
        "collectivite/<str:code>/fiches/<int:pk>/supprimer/",
        collectivity_views.procedure_sheet_delete_view,
        name="sheet_delete",
    ),
    path(
        "collectivite/<str:code>/fiches/<int:pk>/",
        collectivity_views.procedure_sheet_download,
        name="sheet_download",
    ),
    path(
        "collectivite/<str:code>/<str:year>/equipements/",
        collectivity_views.collectivity_equipment,
        name="collectivity_equipment",
    ),
]
