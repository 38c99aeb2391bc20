from django.urls import path

from schools import views

app_name = "schools"

urlpatterns = [
    path("", views.home, name="home"),
    path("etablissements/<str:uai>/", views.school_detail, name="detail"),
    path("etablissements/<str:uai>/personnels/", views.staff_list, name="staff"),
    path("etablissements/<str:uai>/personnels/<int:pk>/", views.person_edit, name="person_edit"),
]
