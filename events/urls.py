"""The DANE's events (names in the "missions" namespace: see rupn/urls.py)."""

from django.urls import path

from events import views

urlpatterns = [
    path("evenements/", views.events, name="events"),
    path("evenements/nouveau/", views.event_create_view, name="event_create"),
    path("evenements/<int:pk>/", views.event_detail, name="event_detail"),
    path("evenements/<int:pk>/modifier/", views.event_edit, name="event_edit"),
    path("evenements/<int:pk>/inscription/", views.event_register_view, name="event_register"),
    path("evenements/<int:pk>/desinscription/", views.event_unregister_view, name="event_unregister"),
    path("evenements/<int:pk>/presences/", views.event_attendance, name="event_attendance"),
    path("evenements/<int:pk>/evenement.ics", views.event_calendar, name="event_calendar"),
]
