from django.urls import path

from missions import views, views_activity, views_events, views_reviews

app_name = "missions"

SCHOOL_YEAR = "etablissements/<str:uai>/<str:year>"

urlpatterns = [
    path(f"{SCHOOL_YEAR}/repartition/", views.allocation, name="allocation"),
    path(f"{SCHOOL_YEAR}/repartition/verifier/", views.allocation_check, name="allocation_check"),
    path(f"{SCHOOL_YEAR}/repartition/reprendre/", views_activity.rollover, name="plan_rollover"),
    # The referents' activity log.
    path("activite/", views_activity.activity, name="activity"),
    path("activite/export.csv", views_activity.activity_export, name="activity_export"),
    path("activite/<int:pk>/modifier/", views_activity.activity_edit, name="activity_edit"),
    path("activite/<int:pk>/supprimer/", views_activity.activity_delete_view, name="activity_delete"),
    path(f"{SCHOOL_YEAR}/activite/", views_activity.school_activity, name="school_activity"),
    path(f"{SCHOOL_YEAR}/activite/export.csv", views_activity.school_activity_export, name="school_activity_export"),
    path("dane/activite/", views_activity.dane_activity, name="dane_activity"),
    # Points d'étape.
    path(f"{SCHOOL_YEAR}/points-etape/", views_reviews.reviews, name="reviews"),
    path(f"{SCHOOL_YEAR}/points-etape/<int:pk>/", views_reviews.review_detail, name="review_detail"),
    path(f"{SCHOOL_YEAR}/points-etape/<int:pk>/supprimer/", views_reviews.review_delete_view, name="review_delete"),
    path("dane/points-etape/", views_reviews.dane_reviews, name="dane_reviews"),
    # The DANE's events.
    path("evenements/", views_events.events, name="events"),
    path("evenements/nouveau/", views_events.event_create_view, name="event_create"),
    path("evenements/<int:pk>/", views_events.event_detail, name="event_detail"),
    path("evenements/<int:pk>/modifier/", views_events.event_edit, name="event_edit"),
    path("evenements/<int:pk>/inscription/", views_events.event_register_view, name="event_register"),
    path("evenements/<int:pk>/desinscription/", views_events.event_unregister_view, name="event_unregister"),
    path("evenements/<int:pk>/presences/", views_events.event_attendance, name="event_attendance"),
    path("evenements/<int:pk>/evenement.ics", views_events.event_calendar, name="event_calendar"),
    # Reminders received.
    path("rappels/", views_activity.my_reminders, name="my_reminders"),
]
