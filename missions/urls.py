from django.urls import path

from missions import views

app_name = "missions"

urlpatterns = [
    path("etablissements/<str:uai>/<str:year>/repartition/", views.allocation, name="allocation"),
    path("etablissements/<str:uai>/<str:year>/repartition/verifier/", views.allocation_check, name="allocation_check"),
]
