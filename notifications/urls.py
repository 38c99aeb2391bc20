"""The reminders received (name in the "missions" namespace: see rupn/urls.py)."""

from django.urls import path

from notifications import views

urlpatterns = [
    path("rappels/", views.my_reminders, name="my_reminders"),
]
