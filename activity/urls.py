"""The activity log and the points d'étape (names in the "missions" namespace: see rupn/urls.py)."""

from django.urls import path

from activity import views, views_reviews

SCHOOL_YEAR = "etablissements/<str:uai>/<str:year>"

urlpatterns = [
    # The referents' activity log.
    path("activite/", views.activity, name="activity"),
    path("activite/export.csv", views.activity_export, name="activity_export"),
    path("activite/<int:pk>/modifier/", views.activity_edit, name="activity_edit"),
    path("activite/<int:pk>/supprimer/", views.activity_delete_view, name="activity_delete"),
    path(f"{SCHOOL_YEAR}/activite/", views.school_activity, name="school_activity"),
    path(f"{SCHOOL_YEAR}/activite/export.csv", views.school_activity_export, name="school_activity_export"),
    path("dane/activite/", views.dane_activity, name="dane_activity"),
    # Points d'étape.
    path(f"{SCHOOL_YEAR}/points-etape/", views_reviews.reviews, name="reviews"),
    path(f"{SCHOOL_YEAR}/points-etape/<int:pk>/", views_reviews.review_detail, name="review_detail"),
    path(f"{SCHOOL_YEAR}/points-etape/<int:pk>/supprimer/", views_reviews.review_delete_view, name="review_delete"),
    path("dane/points-etape/", views_reviews.dane_reviews, name="dane_reviews"),
]
