from django.urls import path

from helpdesk import views

app_name = "helpdesk"
urlpatterns = [
    path("etablissements/<str:uai>/numerique/", views.team, name="team"),
    path("etablissements/<str:uai>/personnels/inviter/", views.invite, name="invite"),
    path("etablissements/<str:uai>/demandes/", views.requests, name="requests"),
    path("etablissements/<str:uai>/demandes/nouvelle/", views.request_file, name="request_file"),
    path("etablissements/<str:uai>/demandes/chiffres/", views.figures, name="figures"),
    path("etablissements/<str:uai>/demandes/<int:pk>/", views.request_detail, name="request"),
    path("etablissements/<str:uai>/demandes/<int:pk>/capture/", views.request_screenshot, name="screenshot"),
    path("etablissements/<str:uai>/sessions/", views.sessions, name="sessions"),
    path("etablissements/<str:uai>/sessions/<int:pk>/", views.session_detail, name="session"),
    path("collectivite/demandes-transmises/", views.collectivity_figures, name="collectivity"),
]
