"""Forms of the schools app, in the DSFR markup."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from schools.models import Person


class LoginForm(AuthenticationForm, DsfrBaseForm):
    error_messages = {
        "invalid_login": _(
            "Adresse électronique ou mot de passe incorrect. Vérifiez votre saisie ; "
            "le mot de passe distingue majuscules et minuscules."
        ),
        "inactive": _("Ce compte est désactivé. Adressez-vous à la DANE de votre académie."),
    }

    username = UsernameField(
        label=_("Adresse électronique"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SchoolSearchForm(DsfrBaseForm):
    q = forms.CharField(
        label=_("Rechercher un établissement"), required=False, max_length=100, help_text=_("Nom, commune ou UAI")
    )


class PersonForm(DsfrBaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    email = forms.EmailField(
        label=_("Adresse électronique"), required=False, help_text=_("Format attendu : nom@domaine.fr")
    )
    status = forms.ChoiceField(label=_("Statut"), choices=Person.Status.choices)
    full_service_cpge = forms.BooleanField(label=_("Service complet en CPGE (non éligible à l'IMP)"), required=False)
    leaving = forms.BooleanField(
        label=_("Quitte l'établissement à la fin de l'année (mutation, retraite…)"), required=False
    )
    is_active = forms.BooleanField(label=_("En poste dans l'établissement"), required=False, initial=True)


class StaffImportForm(DsfrBaseForm):
    file = forms.FileField(
        label=_("Fichier CSV du personnel"),
        help_text=_("Colonnes : nom ; prenom ; email ; statut ; cpge ; depart. Taille maximale : 1 Mo."),
    )
