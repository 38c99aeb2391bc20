from django.urls import include, path, re_path

from badges import public_views, views

staff_patterns = [
    path("", views.badge_list, name="list"),
    path("nouveau/", views.badge_create_view, name="create"),
    path("<int:pk>/", views.badge_detail, name="detail"),
    path("<int:pk>/modifier/", views.badge_edit, name="edit"),
    path("<int:pk>/delivrer/", views.badge_award, name="award"),
    path("delivres/<int:pk>/revoquer/", views.award_revoke_view, name="revoke"),
    path("mes-badges/", views.my_badges, name="mine"),
    path("mes-badges/publication/", views.publication, name="publication"),
    re_path(
        r"^mes-badges/(?P<uid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(?P<ext>png|svg)$",
        views.my_badge_download,
        name="mine_download",
    ),
]

# Open Badges 2.0 hosted verification: public (login_not_required).
public_patterns = [
    path("emetteurs/<str:code>/", public_views.issuer, name="issuer"),
    path("emetteurs/<str:code>/revocations/", public_views.revocations, name="revocations"),
    path("badges/<int:pk>/", public_views.badge, name="badge"),
    path("badges/<int:pk>/image/", public_views.badge_image, name="badge_image"),
    path("assertions/<uuid:uid>/", public_views.assertion, name="assertion"),
    path("parcours/<str:token>/", public_views.record, name="record"),
]

urlpatterns = [
    path("badges/", include((staff_patterns, "badges"))),
    path("openbadges/", include((public_patterns, "openbadges"))),
]
