from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from dashboard.selectors import PLAN_STATES, SORTS, Filters
from schools.models import Collectivity, Departement, School


class SchoolFilterForm(DsfrBaseForm):
    """The table's filters (a GET form: the filters stay in the URL)."""

    annee = forms.ChoiceField(label=_("Année scolaire"), required=False)
    q = forms.CharField(label=_("Nom, commune ou UAI"), required=False, max_length=100)
    departement = forms.ChoiceField(label=_("Département"), required=False)
    collectivity = forms.ChoiceField(label=_("Collectivité"), required=False)
    kind = forms.ChoiceField(label=_("Type d'établissement"), required=False)
    plan_state = forms.ChoiceField(label=_("État du plan"), required=False)
    blocking = forms.BooleanField(label=_("Seulement les plans avec un problème bloquant"), required=False)
    no_review = forms.BooleanField(label=_("Seulement les établissements sans point d'étape fait"), required=False)
    review_done = forms.BooleanField(
        label=_("Seulement les établissements dont le point d'étape est fait"), required=False
    )
    rules_ok = forms.BooleanField(
        label=_("Seulement les plans dont toutes les règles bloquantes sont respectées"), required=False
    )
    no_referent = forms.BooleanField(label=_("Seulement les établissements sans référent désigné"), required=False)
    imp_validated = forms.BooleanField(label=_("Seulement les établissements ayant des IMP validées"), required=False)
    sort = forms.ChoiceField(label=_("Trier par"), required=False)

    def __init__(self, *args, academie_ids, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [(y.name, y.name) for y in years]
        everything = [("", _("Tous"))]
        departements = Departement.objects.filter(academie_id__in=list(academie_ids)).order_by("code")
        self.fields["departement"].choices = everything + [(d.code, str(d)) for d in departements]
        collectivities = (
            Collectivity.objects.filter(schools__departement__academie_id__in=list(academie_ids))
            .distinct()
            .order_by("name", "code")
        )
        self.fields["collectivity"].choices = everything + [(c.code, c.name) for c in collectivities]
        self.fields["kind"].choices = everything + list(School.Kind.choices)
        self.fields["plan_state"].choices = everything + [(s, str(label)) for s, label in PLAN_STATES]
        self.fields["sort"].choices = [(key, SORT_LABELS[key]) for key in SORTS]

    def filters(self) -> Filters:
        if not self.is_valid():
            return Filters()
        data = self.cleaned_data
        return Filters(
            departement=data["departement"],
            collectivity=data["collectivity"],
            kind=data["kind"],
            plan_state=data["plan_state"],
            blocking=data["blocking"],
            no_review=data["no_review"],
            review_done=data["review_done"],
            rules_ok=data["rules_ok"],
            no_referent=data["no_referent"],
            imp_validated=data["imp_validated"],
            q=data["q"],
            sort=data["sort"] or "name",
        )


SORT_LABELS = {
    "name": _("Nom (A → Z)"),
    "-name": _("Nom (Z → A)"),
    "uai": _("UAI"),
    "commune": _("Commune"),
    "kind": _("Type"),
    "state": _("État du plan"),
    "coverage": _("Couverture croissante"),
    "-coverage": _("Couverture décroissante"),
    "referents": _("Nombre de référents"),
    "hours": _("Heures d'activité croissantes"),
    "-hours": _("Heures d'activité décroissantes"),
}
