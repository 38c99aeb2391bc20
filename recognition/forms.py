"""Forms of the projects pages, in the DSFR markup."""

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from recognition.models import DaneProject
from recognition.services import ProjectInput
from rupn.lib.concurrency import BaseField
from rupn.lib.forms import VersionField


class ProjectForm(DsfrBaseForm):
    version = VersionField(required=False)
    base = BaseField()
    title = forms.CharField(label=_("Intitulé du projet"), max_length=200)
    classes = forms.CharField(
        label=_("Classes concernées"), max_length=300, required=False, help_text=_("Par exemple : 5e A, 5e B, 4e C")
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    dane_project = forms.ChoiceField(
        label=_("Projet de la DANE"),
        required=False,
        choices=[("", _("Aucun : projet de l'établissement")), *DaneProject.choices],
    )
    referents = forms.TypedMultipleChoiceField(
        label=_("Référents numériques associés"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("La DANE demande d'associer systématiquement un référent aux projets numériques."),
    )
    teachers = forms.TypedMultipleChoiceField(
        label=_("Enseignants impliqués"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    other_teachers = forms.CharField(
        label=_("Autres intervenants"),
        max_length=300,
        required=False,
        help_text=_("Personnes absentes de la liste des personnels, séparées par des virgules."),
    )
    outcome = forms.CharField(
        label=_("Bilan de fin d'année"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ce que le projet a apporté, à compléter en fin d'année."),
    )

    def __init__(self, *args, teachers, referents, **kwargs):
        """teachers and referents: the people one may choose (Person lists)."""
        super().__init__(*args, **kwargs)
        self.fields["teachers"].choices = [(p.pk, p.full_name) for p in teachers]
        self.fields["referents"].choices = [(p.pk, p.full_name) for p in referents]
        if not referents:
            self.fields["referents"].help_text = _(
                "Aucun référent cette année : désignez-les dans la répartition des missions de l'établissement."
            )

    def to_input(self) -> ProjectInput:
        data = self.cleaned_data
        return ProjectInput(
            title=data["title"],
            classes=data["classes"],
            description=data["description"],
            teacher_ids=frozenset(data["teachers"]),
            other_teachers=data["other_teachers"],
            referent_ids=frozenset(data["referents"]),
            dane_project=data["dane_project"],
            outcome=data["outcome"],
        )


class ProjectFilterForm(DsfrBaseForm):
    """The DANE list's filters (GET)."""

    annee = forms.ChoiceField(label=_("Année scolaire"), required=False)
    departement = forms.ChoiceField(label=_("Département"), required=False)
    projet = forms.ChoiceField(
        label=_("Projet de la DANE"), required=False, choices=[("", _("Tous")), *DaneProject.choices]
    )
    valorise = forms.ChoiceField(
        label=_("Valorisation"),
        required=False,
        choices=[("", _("Tous les projets")), ("oui", _("Valorisés")), ("non", _("Non valorisés"))],
    )
    sans_referent = forms.BooleanField(label=_("Seulement les projets sans référent associé"), required=False)
    q = forms.CharField(
        label=_("Rechercher"), required=False, max_length=100, help_text=_("Intitulé, établissement, commune ou UAI")
    )

    def __init__(self, *args, years, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [(y.name, y.name) for y in years]
        self.fields["departement"].choices = [("", _("Tous")), *((d.code, str(d)) for d in departements)]
