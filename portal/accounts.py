"""Accounts: password reset by e-mail, the django-axes lockout answer, and the log of logins and refusals.

Logs name users by id only (never an e-mail address or a name): see LOGGER and the signal receivers below.
"""

import logging

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.forms.utils import ErrorDict
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from dsfr.forms import DsfrBaseForm

from schools.forms import LoginForm
from schools.models import User

LOGGER = logging.getLogger("rupn.security")

LOCKED_OUT_MESSAGE = _(
    "Trop de tentatives de connexion infructueuses : ce compte est bloqué pendant %(minutes)d minutes. "
    "Réessayez plus tard, ou demandez à la DANE de votre académie de le débloquer."
)


def _breadcrumb(current) -> dict:
    return {"links": [{"url": reverse_lazy("login"), "title": _("Connexion")}], "current": current}


class PasswordResetForm(auth_forms.PasswordResetForm, DsfrBaseForm):
    email = forms.EmailField(
        label=_("Adresse électronique"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SetPasswordForm(auth_forms.SetPasswordForm, DsfrBaseForm):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    http_method_names = ["get", "post"]
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "emails/password_reset_body.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")
    extra_email_context = {"site_url": settings.SITE_URL}  # not the request's Host header
    extra_context = {"title": _("Mot de passe oublié"), "breadcrumb_data": _breadcrumb(_("Mot de passe oublié"))}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    http_method_names = ["get"]
    template_name = "registration/password_reset_done.html"
    extra_context = {"title": _("Message envoyé"), "breadcrumb_data": _breadcrumb(_("Message envoyé"))}


@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")  # before the link is checked
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    http_method_names = ["get", "post"]
    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")
    extra_context = {"title": _("Nouveau mot de passe"), "breadcrumb_data": _breadcrumb(_("Nouveau mot de passe"))}


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    http_method_names = ["get"]
    template_name = "registration/password_reset_complete.html"
    extra_context = {"title": _("Mot de passe changé"), "breadcrumb_data": _breadcrumb(_("Mot de passe changé"))}


def login_address(request, credentials=None) -> str:
    """The e-mail address typed at login, as the lock counts it: stripped, in lower case."""
    data = credentials if credentials else getattr(request, "POST", {})
    return (data.get(settings.AXES_USERNAME_FORM_FIELD) or "").strip().lower()


class EmailBackend(ModelBackend):
    """Django's ModelBackend, with the e-mail address matched whatever its case ("Anne.Principale@ac-dijon.fr"
    logs in as anne.principale@ac-dijon.fr). Two accounts whose addresses differ only by case log in with neither,
    as with an unknown address (the admin can tell them apart)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:  # as ModelBackend: authenticate(email=…) names the account by its USERNAME_FIELD
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        users = list(User.objects.filter(email__iexact=username.strip()).order_by("pk")[:2])
        if len(users) != 1:
            User().set_password(password)  # as long as for a known address (Django's timing defence)
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def lockout(request, credentials, *args, **kwargs):
    """django-axes' answer to a locked-out login: the login page again, with a French message (HTTP 429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = LoginForm(request, data=request.POST or None)
    form.cleaned_data, form._errors = {}, ErrorDict()  # no clean(): it would try to authenticate again
    form.add_error(None, LOCKED_OUT_MESSAGE % {"minutes": minutes})
    context = {"form": form, "next": request.POST.get("next", ""), "title": _("Connexion")}
    return render(request, "registration/login.html", context, status=429)


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    LOGGER.info("login user_id=%s", user.pk)


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs):
    LOGGER.info("logout user_id=%s", getattr(user, "pk", None))


@receiver(user_login_failed)
def log_login_failed(sender, credentials, request=None, **kwargs):
    # The address typed is personal data (and may be a password typed in the wrong field): never logged.
    username = (credentials or {}).get("username") or ""
    user_id = User.objects.filter(email__iexact=username).values_list("pk", flat=True).first() if username else None
    LOGGER.warning("login failed user_id=%s", user_id)
