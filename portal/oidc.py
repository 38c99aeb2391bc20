"""Optional single sign-on through OpenID Connect (ProConnect, an académie's provider), with mozilla-django-oidc.

Off unless OIDC_ENABLED: the URLs then answer 404. The flow is the authorization code flow with state, nonce and
PKCE; the ID token (and ProConnect's userinfo, a signed JWT) must be signed with OIDC_RP_SIGN_ALGO by a key of the
provider's JWKS. A person is matched by the provider's subject (`sub`, stored on the account at their first
sign-on); the first time, by e-mail address (case aside) among active accounts not yet linked. An account is created
only for a member of a school's staff still in post (matched by e-mail: they get the teacher role there, as every
matched account does in the schools where it holds no role yet); other roles are given by the DANE, and an unknown
person gets a page saying whom to ask. Logout also ends the
provider's session (RP-initiated logout) when OIDC_OP_LOGOUT_ENDPOINT is set.
"""

import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from schools.models import User
from schools.services import staff_member_in_post, teacher_roles_grant_by_email

LOGGER = logging.getLogger("rupn.security")
UNKNOWN_SESSION_KEY = "oidc_unknown_email"


class ExistingAccountsBackend(OIDCAuthenticationBackend):
    def _verify_jws(self, payload, key):
        """The token's claims if it is signed by the provider's key with our algorithm, for us (aud), by the provider
        (iss, when OIDC_OP_ISSUER is set) and not expired; SuspiciousOperation otherwise."""
        try:
            alg = jwt.get_unverified_header(payload).get("alg")
            if alg != self.OIDC_RP_SIGN_ALGO:
                raise SuspiciousOperation(f"token signed with {alg!r}, not {self.OIDC_RP_SIGN_ALGO!r}")
            return jwt.decode(
                payload,
                key,
                algorithms=[alg],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER or None,
                leeway=30,
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"token refused: {type(error).__name__}") from error

    def verify_token(self, token, **kwargs):
        try:
            return super().verify_token(token, **kwargs)
        except (jwt.InvalidTokenError, KeyError) as error:  # not a JWT, no kid, a JWKS without keys
            raise SuspiciousOperation(f"token refused: {type(error).__name__}") from error

    def authenticate(self, request, **kwargs):
        # A refused token (bad signature, wrong nonce, "alg": "none") raises SuspiciousOperation, a refused code
        # (replayed, expired) an HTTP error from the token endpoint: both are a failed sign-on, never a 500.
        try:
            return super().authenticate(request, **kwargs)
        except SuspiciousOperation as error:
            LOGGER.warning("sso login refused: %s", error)
        except requests.RequestException as error:
            status = getattr(error.response, "status_code", None)
            LOGGER.warning("sso login refused: the provider answered %s", status or type(error).__name__)
        return None

    def get_or_create_user(self, access_token, id_token, payload):
        user_info = self.get_userinfo(access_token, id_token, payload)
        sub = str(payload.get("sub") or "")
        if not sub or str(user_info.get("sub") or "") != sub:  # OpenID Connect Core 5.3.2
            raise SuspiciousOperation("userinfo sub differs from the ID token's")
        with transaction.atomic():
            user = User.objects.select_for_update().filter(oidc_sub=sub).first()
            if user is None:
                email = (user_info.get("email") or "").strip()
                candidates = (
                    list(User.objects.select_for_update().filter(email__iexact=email, oidc_sub="")[:2]) if email else []
                )
                if len(candidates) == 1 and candidates[0].is_active:
                    user = candidates[0]
                    user.oidc_sub = sub
                    user.save(update_fields=["oidc_sub"])
                    LOGGER.info("sso account linked user_id=%s", user.pk)
                elif (
                    not candidates
                    and staff_member_in_post(email)
                    and not User.objects.filter(email__iexact=email).exists()
                ):
                    user = User.objects.create_user(
                        email,
                        first_name=(user_info.get("given_name") or "")[:150],
                        last_name=(user_info.get("usual_name") or user_info.get("family_name") or "")[:150],
                        oidc_sub=sub,
                    )
                    LOGGER.info("sso account created for a staff member user_id=%s", user.pk)
            if user is not None and user.is_active:
                teacher_roles_grant_by_email(user=user)
        if user is not None and user.is_active:
            return user
        # The address is personal data: not logged; it is shown to the person themselves on the next page.
        LOGGER.warning("sso login refused: no matching account user_id=%s", getattr(user, "pk", None))
        self.request.session[UNKNOWN_SESSION_KEY] = (user_info.get("email") or "")[:254]
        return None


class CallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as error:  # a state this browser did not ask for: forged, or replayed
            LOGGER.warning("sso login refused: %s", error)
            return self.login_failure()

    def login_failure(self):
        if UNKNOWN_SESSION_KEY in self.request.session:
            return HttpResponseRedirect(reverse("oidc_unknown_account"))
        messages.error(
            self.request,
            _(
                "La connexion avec %(provider)s n'a pas abouti. Recommencez ; si cela se reproduit, connectez-vous "
                "avec votre mot de passe RUPN."
            )
            % {"provider": settings.OIDC_PROVIDER_NAME},
        )
        return HttpResponseRedirect(self.failure_url)


def _enabled(view):
    def wrapped(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return login_not_required(wrapped)


@require_GET
def _unknown_account(request):
    email = request.session.pop(UNKNOWN_SESSION_KEY, "")
    return render(
        request,
        "registration/oidc_unknown_account.html",
        {"email": email, "provider": settings.OIDC_PROVIDER_NAME, "title": _("Compte RUPN introuvable")},
    )


def logout(request):
    """Django's logout; after a single sign-on, then the provider's end of session (RP-initiated logout)."""
    id_token = request.session.get("oidc_id_token", "")
    response = auth_views.LogoutView.as_view()(request)
    if not (settings.OIDC_ENABLED and settings.OIDC_OP_LOGOUT_ENDPOINT and id_token and response.status_code == 302):
        return response
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return HttpResponseRedirect(f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}")


authentication_init = _enabled(OIDCAuthenticationRequestView.as_view())
authentication_callback = _enabled(CallbackView.as_view())
unknown_account = _enabled(_unknown_account)
