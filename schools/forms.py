"""Forms of the schools app, in the DSFR markup."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from rupn.lib.concurrency import BaseField
from rupn.lib.forms import BoundedDateField, VersionField
from schools.models import Academie, AuthorizedAction, EquipmentRequest, Person, School


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
        # An e-mail address is at most 254 characters; longer input never reaches authenticate() (and the login
        # throttling's varchar(255) log of attempts).
        max_length=254,
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
    version = VersionField(required=False)
    base = BaseField()
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


class StsImportForm(DsfrBaseForm):
    export = forms.FileField(
        label=_("Export STS-web (sts_emp_….xml)"),
        help_text=_(
            "Dans STS-web : « Mise à jour », « Exports », « Emploi du temps ». Fichier sts_emp_UAI_année.xml (UAI et année de l’établissement), "
            "10 Mo au plus. Rien n'est enregistré avant votre confirmation."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,text/xml,application/xml"}),
    )


class DirectoryImportForm(DsfrBaseForm):
    file = forms.FileField(
        label=_("Export de l'annuaire (CSV)"),
        help_text=_(
            "Export « Annuaire de l'éducation » ou « Adresse et géolocalisation des établissements » du ministère, "
            "séparateur point-virgule, UTF-8. Taille maximale : 50 Mo."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    academie = forms.ModelChoiceField(label=_("Académie"), queryset=Academie.objects.none(), empty_label=None)
    with_private = forms.BooleanField(
        label=_("Importer aussi les établissements privés sous contrat"),
        required=False,
        help_text=_("Les établissements privés hors contrat ne sont jamais importés."),
    )
    full_academie = forms.BooleanField(
        label=_("Ce fichier est l'export complet de l'académie"),
        required=False,
        help_text=_(
            "Les établissements de l'académie absents du fichier, parmi les types qu'il contient (par exemple les "
            "collèges), sont alors marqués fermés. Ils ne sont jamais supprimés."
        ),
    )

    def __init__(self, *args, academies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academie"].queryset = academies
        self.fields["academie"].help_text = _(
            "Les lignes des autres académies sont ignorées (comptées dans « ignorés »)."
        )


class AuthorizedActionForm(DsfrBaseForm):
    action = forms.ChoiceField(label=_("Action autorisée"), choices=AuthorizedAction.ACTION_CHOICES)
    other_label = forms.CharField(
        label=_("Intitulé, pour une autre action"),
        required=False,
        max_length=150,
        help_text=_("Par exemple : gestion des imprimantes réseau."),
    )
    school = forms.ModelChoiceField(
        label=_("Établissement"),
        queryset=School.objects.none(),
        required=False,
        empty_label=_("Tous les établissements de la collectivité"),
    )
    convention_reference = forms.CharField(label=_("Référence de la convention"), required=False, max_length=100)
    convention_date = BoundedDateField(
        label=_("Date de la convention"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools


class ProcedureSheetForm(DsfrBaseForm):
    action = forms.ModelChoiceField(
        label=_("Action autorisée"), queryset=AuthorizedAction.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Titre de la fiche"), max_length=200)
    file = forms.FileField(
        label=_("Fiche de procédure (PDF)"),
        help_text=_("Un fichier PDF de 5 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = actions
        self.fields["action"].label_from_instance = lambda action: (
            f"{action.label} — {action.school.name if action.school else _('tous les établissements')}"
        )


class MeansForm(DsfrBaseForm):
    version = VersionField()
    base = BaseField()
    phone = forms.BooleanField(label=_("Téléphone"), required=False)
    notice_board = forms.BooleanField(label=_("Tableau d'affichage"), required=False)
    intervention_book = forms.BooleanField(label=_("Cahier de demandes d'intervention"), required=False)
    ticket_server = forms.BooleanField(label=_("Serveur de tickets"), required=False)
    ticket_server_url = forms.URLField(
        label=_("Adresse du serveur de tickets"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_("Par exemple : https://tickets.cotedor.fr (le GLPI de la collectivité)."),
    )
    office = forms.BooleanField(label=_("Bureau"), required=False)
    details = forms.CharField(
        label=_("Précisions"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : bureau partagé avec le professeur documentaliste, numéro de poste."),
    )


class EquipmentRequestForm(DsfrBaseForm):
    item = forms.CharField(label=_("Équipement demandé"), max_length=200)
    quantity = forms.IntegerField(label=_("Quantité"), min_value=1, max_value=100_000, initial=1)
    use = forms.CharField(label=_("Pour quel usage"), max_length=500)
    cost_estimate = forms.DecimalField(
        label=_("Estimation du coût (€), si elle est connue"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        localize=True,
        help_text=_("Par exemple : 1250,00"),
    )


class EquipmentEditForm(EquipmentRequestForm):
    """The edit form of one request: with its version and base (rupn.lib.concurrency)."""

    version = VersionField(required=False)
    base = BaseField()


class EquipmentAnswerForm(DsfrBaseForm):
    state = forms.ChoiceField(
        label=_("Réponse"),
        choices=[
            (EquipmentRequest.State.ACCEPTED, _("Acceptée")),
            (EquipmentRequest.State.REFUSED, _("Refusée")),
            (EquipmentRequest.State.DELIVERED, _("Livrée")),
        ],
    )
    comment = forms.CharField(
        label=_("Motif ou commentaire"),
        required=False,
        max_length=500,
        help_text=_("Obligatoire pour un refus : l'établissement le lira."),
    )
