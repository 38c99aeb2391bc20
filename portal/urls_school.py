"""The school page, in the "schools" namespace (see rupn/urls.py): it gathers the plans, the activity and the
points d'étape, so it sits above those apps."""

from django.urls import path

from portal import views_school

urlpatterns = [
    path("etablissements/<str:uai>/", views_school.school_detail, name="detail"),
]
