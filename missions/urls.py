"""The plan pages. Their names are in the "missions" namespace, which the project's urls.py also gives to the
pages of activity, events and notifications (URL names kept when those apps left missions)."""

from django.urls import path

from missions import views

app_name = "missions"

SCHOOL_YEAR = "etablissements/<str:uai>/<str:year>"

urlpatterns = [
    path(f"{SCHOOL_YEAR}/repartition/", views.allocation, name="allocation"),
    path(f"{SCHOOL_YEAR}/repartition/verifier/", views.allocation_check, name="allocation_check"),
    path(f"{SCHOOL_YEAR}/repartition/reprendre/", views.rollover, name="plan_rollover"),
    path(f"{SCHOOL_YEAR}/repartition/modifier/", views.reopen, name="plan_reopen"),
]
