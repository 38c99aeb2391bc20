"""Optional single sign-on through OpenID Connect (ProConnect, an académie's provider), with mozilla-django-oidc.

Off unless OIDC_ENABLED: the two URLs then answer 404. A person signed in by the provider is matched to an
existing, active account by e-mail address; no account is ever created (roles are given by the DANE).
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from schools.models import User

LOGGER = logging.getLogger("rupn.security")


class ExistingAccountsBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return User.objects.none()
        return User.objects.filter(email__iexact=email, is_active=True)

    def get_or_create_user(self, access_token, id_token, payload):
        user_info = self.get_userinfo(access_token, id_token, payload)
        users = list(self.filter_users_by_claims(user_info)[:2]) if self.verify_claims(user_info) else []
        if len(users) == 1:
            return users[0]
        # The address is personal data: not logged.
        LOGGER.warning("sso login refused: no matching account")
        messages.error(
            self.request,
            _(
                "Votre compte n'est pas encore ouvert dans RUPN, ou son adresse électronique est différente. "
                "Adressez-vous à la DANE de votre académie."
            ),
        )
        return None


def _enabled(view):
    def wrapped(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return login_not_required(wrapped)


authentication_init = _enabled(OIDCAuthenticationRequestView.as_view())
authentication_callback = _enabled(OIDCAuthenticationCallbackView.as_view())
