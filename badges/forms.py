"""Forms of the badge pages (DSFR markup through DsfrBaseForm)."""

from django import forms
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from badges.selectors import existing_school_year
from schools.models import Departement, SchoolYear


class BadgeForm(DsfrBaseForm):
    academie = forms.ModelChoiceField(label=_("Académie"), queryset=None, empty_label=None)
    name = forms.CharField(
        label=_("Nom du badge"), max_length=150, help_text=_("Par exemple : Référent numérique 2026-2027.")
    )
    description = forms.CharField(label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    criteria = forms.CharField(
        label=_("Critères d'obtention"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Publiés avec le badge : ce qu'il faut avoir fait pour le recevoir."),
    )
    image = forms.FileField(
        label=_("Image du badge"),
        help_text=_("Fichier PNG ou SVG, carré de préférence, 512 Ko au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.svg,image/png,image/svg+xml"}),
    )

    def __init__(self, *args, academies, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academie"].queryset = academies
        if editing:
            del self.fields["academie"]
            self.fields["image"].required = False
            self.fields["image"].help_text = _("Laissez vide pour garder l'image actuelle. PNG ou SVG, 512 Ko au plus.")


def year_choices(current: int) -> list[tuple[str, str]]:
    return [(str(year), f"{year}-{year + 1}") for year in range(current + 1, current - 6, -1)]


class AwardFilterForm(DsfrBaseForm):
    """The filters of the bulk award page, read from the URL."""

    annee = forms.TypedChoiceField(label=_("Année scolaire"), coerce=int)
    departement = forms.ModelChoiceField(
        label=_("Département"), queryset=None, required=False, empty_label=_("Tous les départements")
    )
    mission = forms.BooleanField(
        label=_("A tenu une mission toute l'année"),
        required=False,
        help_text=_("Responsable d'une ligne du plan de répartition soumis au CA pour cette année."),
    )
    reunion = forms.BooleanField(
        label=_("A participé à la rencontre annuelle"),
        required=False,
        help_text=_("Noté présent à une rencontre annuelle des référents de l'académie cette année-là."),
    )

    def __init__(self, *args, academie, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = SchoolYear.current()
        self.fields["annee"].choices = year_choices(self.current.start_year)
        self.fields["annee"].initial = self.current.start_year
        self.fields["departement"].queryset = Departement.objects.filter(academie=academie).order_by("code")

    def filters(self) -> dict:
        """The valid filters, or the defaults (current year, no other filter)."""
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
        else:
            data = {"annee": self.current.start_year, "departement": None, "mission": False, "reunion": False}
        school_year = self.current
        if data["annee"] != self.current.start_year:
            # Read, never created on a GET: a year nobody has worked in has no referent to award.
            school_year = existing_school_year(data["annee"])
            if school_year is None:
                self.add_error(
                    "annee",
                    _gettext("Aucune année scolaire %(year)s n'est enregistrée : aucun référent n'y a travaillé.")
                    % {"year": f"{data['annee']}-{data['annee'] + 1}"},
                )
        return {
            "school_year": school_year,
            "departement": data["departement"],
            "full_year": data["mission"],
            "attended": data["reunion"],
        }


def _candidate_label(user) -> str:
    parts = [user.get_full_name() or user.email, ", ".join(user.schools)]
    if user.full_year:
        parts.append(_gettext("mission toute l'année"))
    if user.attended:
        parts.append(_gettext("présent à la rencontre annuelle"))
    if user.has_badge:
        parts.append(_gettext("a déjà ce badge pour l'année"))
    return " — ".join(part for part in parts if part)


class AwardForm(DsfrBaseForm):
    recipients = forms.TypedMultipleChoiceField(
        label=_("Référents à qui délivrer le badge"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note (facultative)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Visible par les référents et la DANE, pas dans l'assertion publique."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = [(user.pk, _candidate_label(user)) for user in candidates]


class RevokeForm(DsfrBaseForm):
    reason = forms.CharField(
        label=_("Motif de la révocation"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Publié dans la liste de révocation de l'émetteur et dans la réponse de l'assertion."),
    )


class PublicationForm(DsfrBaseForm):
    annee = forms.IntegerField(widget=forms.HiddenInput, min_value=1900, max_value=2999)
    public = forms.BooleanField(required=False, widget=forms.HiddenInput)
