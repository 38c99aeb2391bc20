from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

import activity.urls
import events.urls
import missions.urls
import notifications.urls
import portal.urls_school
import schools.urls
from portal import accounts, oidc, personal_data, views
from schools.views import LoginView

# Uncaught errors: a 500 page, or a 503 with Retry-After while the database is away (rupn/lib/error_pages.py).
handler500 = "rupn.lib.error_pages.server_error"

urlpatterns = [
    path("connexion/", login_not_required(LoginView.as_view()), name="login"),
    path("deconnexion/", oidc.logout, name="logout"),
    path("mot-de-passe/oublie/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oublie/envoye/", accounts.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("mot-de-passe/change/", accounts.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("oidc/connexion/", oidc.authentication_init, name="oidc_authentication_init"),
    path("oidc/retour/", oidc.authentication_callback, name="oidc_authentication_callback"),
    path("oidc/compte-inconnu/", oidc.unknown_account, name="oidc_unknown_account"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.personal_data, name="personal_data"),
    path("mes-donnees/", personal_data.my_data, name="my_data"),
    path("plan-du-site/", views.site_map, name="site_map"),
    path("admin/", admin.site.urls),
    path("", include("helpdesk.urls")),  # before the others: "collectivite/demandes-transmises/" is not a code
    # One namespace for the pages that were all in missions (URL names unchanged).
    path(
        "",
        include(
            (
                missions.urls.urlpatterns
                + activity.urls.urlpatterns
                + events.urls.urlpatterns
                + notifications.urls.urlpatterns,
                "missions",
            )
        ),
    ),
    path("", include("documents.urls")),
    path("", include("imp.urls")),
    path(
        "",
        include(
            (schools.urls.urlpatterns[:1] + portal.urls_school.urlpatterns + schools.urls.urlpatterns[1:], "schools")
        ),
    ),
    path("", include("dashboard.urls")),
    path("", include("badges.urls")),
    path("", include("recognition.urls")),
    path("", include("portal.audit_urls")),
]
