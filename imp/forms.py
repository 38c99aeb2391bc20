"""Forms of the IMP pages, in the DSFR markup. They check shapes; the rules are in imp.services."""

from decimal import Decimal

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from imp.models import BoardOpinion, ImpAward, Leave, Replacement
from imp.money import euros_out_of_bounds, parse_euros
from imp.rules import legal_amounts_text
from rupn.lib.concurrency import BaseField
from rupn.lib.formats import format_euros
from rupn.lib.forms import BoundedDateField, VersionField
from schools.models import Person


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def person_label(person: Person) -> str:
    label = f"{person.last_name.upper()} {person.first_name} — {person.get_status_display()}"
    if person.full_service_cpge:
        label += " " + str(_("(service complet en CPGE)"))
    return label


def person_choices(staff: list[Person], named_ids: set[int]) -> list:
    """People named in the allocation table first, then the rest of the staff."""
    named = [(str(p.pk), person_label(p)) for p in staff if p.pk in named_ids]
    others = [(str(p.pk), person_label(p)) for p in staff if p.pk not in named_ids]
    choices: list = [("", _("Choisir une personne"))]
    if named:
        choices.append((_("Désignés dans le tableau de répartition"), named))
    if others:
        choices.append((_("Autres personnels") if named else _("Personnels"), others))
    return choices


class AwardForm(DsfrBaseForm):
    PERIODS = [
        ("whole", _("Toute l'année scolaire (versée par neuvièmes, de novembre à juillet)")),
        ("part", _("Une partie de l'année (versée en une fois, après service fait)")),
    ]

    version = VersionField(required=False)
    base = BaseField()
    person = forms.ChoiceField(label=_("Bénéficiaire"))
    amount = forms.ChoiceField(
        label=_("Taux annuel"),
        widget=forms.RadioSelect,
        help_text=_(
            "Le taux suit la charge de travail de la mission, pas la personne : il n'est pas proratisé pour un temps partiel."
        ),
    )
    period = forms.ChoiceField(
        label=_("Durée de la mission"), choices=PERIODS, widget=forms.RadioSelect, initial="whole"
    )
    start_date = BoundedDateField(label=_("Début de la mission"), required=False, widget=DateInput)
    end_date = BoundedDateField(label=_("Fin de la mission"), required=False, widget=DateInput)

    def __init__(self, *args, staff: list[Person], named_ids: set[int], amounts: list[Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {p.pk: p for p in staff}
        self.fields["person"].choices = person_choices(staff, named_ids)
        self.fields["amount"].choices = [(f"{a:.2f}", format_euros(a)) for a in amounts]
        self.fields["amount"].error_messages["invalid_choice"] = _(
            "Ce montant n'est pas un taux légal de l'IMP. Choisissez l'un des taux en vigueur : %(rates)s."
        ) % {"rates": legal_amounts_text(amounts)}
        self.fields["person"].error_messages["invalid_choice"] = _(
            "Choisissez une personne du personnel de l'établissement."
        )
        self.fields["start_date"].help_text = _("Pour une partie de l'année seulement.")
        self.fields["end_date"].help_text = _("Pour une partie de l'année seulement.")

    def clean(self):
        data = super().clean()
        if data.get("period") == "part":
            for name in ("start_date", "end_date"):
                if not data.get(name):
                    self.add_error(name, _("Indiquez cette date pour une mission sur une partie de l'année."))
        return data

    @property
    def values(self) -> dict:
        data = self.cleaned_data
        whole = data["period"] == "whole"
        return {
            "person": self.staff[int(data["person"])],
            "amount": Decimal(data["amount"]),
            "whole_year": whole,
            "start_date": None if whole else data["start_date"],
            "end_date": None if whole else data["end_date"],
        }

    @staticmethod
    def initial_for(award: ImpAward) -> dict:
        return {
            "version": award.version,
            "person": str(award.person_id),
            "amount": f"{award.rate.amount:.2f}",
            "period": "whole" if award.whole_year else "part",
            "start_date": None if award.whole_year else award.start_date,
            "end_date": None if award.whole_year else award.end_date,
        }


class OpinionForm(DsfrBaseForm):
    date = BoundedDateField(label=_("Date de la séance"), widget=DateInput)
    opinion = forms.ChoiceField(label=_("Avis"), choices=BoardOpinion.Opinion.choices, widget=forms.RadioSelect)
    votes_for = forms.IntegerField(label=_("Voix pour"), required=False, min_value=0, max_value=999)
    votes_against = forms.IntegerField(label=_("Voix contre"), required=False, min_value=0, max_value=999)
    votes_abstention = forms.IntegerField(label=_("Abstentions"), required=False, min_value=0, max_value=999)
    deliberation_number = forms.CharField(
        label=_("Numéro de délibération"), required=False, max_length=40, help_text=_("Par exemple : 2026-14")
    )

    @staticmethod
    def initial_for(opinion: BoardOpinion | None) -> dict:
        if opinion is None:
            return {}
        return {
            "date": opinion.date,
            "opinion": opinion.opinion,
            "votes_for": opinion.votes_for,
            "votes_against": opinion.votes_against,
            "votes_abstention": opinion.votes_abstention,
            "deliberation_number": opinion.deliberation_number,
        }


class ReductionForm(DsfrBaseForm):
    person = forms.ChoiceField(label=_("Personne"))
    hours = forms.DecimalField(
        label=_("Heures d'allègement par semaine"), min_value=Decimal("0.5"), max_value=Decimal("20"), decimal_places=2
    )

    def __init__(self, *args, staff: list[Person], named_ids: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {p.pk: p for p in staff}
        self.fields["person"].choices = person_choices(staff, named_ids)


class ServiceDoneForm(DsfrBaseForm):
    done_on = BoundedDateField(label=_("Service fait le"), widget=DateInput)
    ended_on = BoundedDateField(
        label=_("La mission a pris fin avant la date prévue : dernier jour effectué"),
        required=False,
        widget=DateInput,
        help_text=_("Laissez vide si la mission a été accomplie jusqu'à son terme. Rien n'est versé après ce jour."),
    )


class LeaveForm(DsfrBaseForm):
    kind = forms.ChoiceField(
        label=_("Nature du congé"), choices=[("", _("Choisir la nature du congé")), *Leave.Kind.choices]
    )
    start_date = BoundedDateField(label=_("Du"), widget=DateInput)
    end_date = BoundedDateField(label=_("Au"), widget=DateInput)
    salary_percent = forms.DecimalField(
        label=_("Part du traitement maintenue (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        initial=100,
        help_text=_("100 : plein traitement ; 50 : demi-traitement. L'IMP est maintenue dans la même proportion."),
    )


class ReplacementForm(DsfrBaseForm):
    person = forms.ChoiceField(label=_("Remplaçant(e)"))
    kind = forms.ChoiceField(label=_("Nature"), choices=Replacement.Kind.choices, initial=Replacement.Kind.REPLACEMENT)
    start_date = BoundedDateField(label=_("À partir du"), widget=DateInput)
    end_date = BoundedDateField(
        label=_("Jusqu'au"), required=False, widget=DateInput, help_text=_("Vide : jusqu'à la fin de la mission.")
    )

    def __init__(self, *args, staff: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {p.pk: p for p in staff}
        self.fields["person"].choices = person_choices(staff, set())


class DeclineForm(DsfrBaseForm):
    reason = forms.CharField(
        label=_("Motif (facultatif)"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class QueueFilterForm(DsfrBaseForm):
    STATUS_CHOICES = [
        ("ready", _("À valider (avis du CP et du CA enregistrés)")),
        ("waiting", _("Acceptées, en attente des avis du CP et du CA")),
        ("validated", _("Validées, à mettre en paiement")),
        ("paying", _("En paiement")),
        ("rejected", _("Rejetées")),
        ("all", _("Toutes")),
    ]

    status = forms.ChoiceField(label=_("État"), choices=STATUS_CHOICES, required=False, initial="ready")
    year = forms.ChoiceField(label=_("Année scolaire"), required=False)
    departement = forms.ChoiceField(label=_("Département"), required=False)
    q = forms.CharField(
        label=_("Établissement ou personne"), required=False, max_length=100, help_text=_("Nom, commune ou UAI")
    )

    def __init__(self, *args, years, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Toutes les années"))] + [(str(y.start_year), y.name) for y in years]
        self.fields["departement"].choices = [("", _("Tous les départements"))] + [
            (str(d.pk), str(d)) for d in departements
        ]


class RejectForm(DsfrBaseForm):
    reason = forms.CharField(
        label=_("Motif du rejet"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire pour rejeter : il est communiqué au chef d'établissement."),
    )


class EnvelopeForm(DsfrBaseForm):
    uai = forms.CharField(label=_("UAI de l'établissement"), max_length=8, help_text=_("Par exemple 0211234A"))
    amount = forms.CharField(
        label=_("Montant de l'enveloppe"), max_length=20, help_text=_("En euros, par exemple 3 750,00")
    )

    def clean_uai(self):
        return self.cleaned_data["uai"].strip().upper()

    def clean_amount(self):
        amount = parse_euros(self.cleaned_data["amount"])
        if amount is None:
            raise forms.ValidationError(_("Saisissez un montant en euros, par exemple 3750 ou 3 750,00."))
        if problem := euros_out_of_bounds(amount):
            raise forms.ValidationError(capfirst(problem))
        return amount


class EnvelopeImportForm(DsfrBaseForm):
    file = forms.FileField(
        label=_("Fichier CSV des enveloppes"),
        help_text=_("Deux colonnes, UAI;montant, une ligne par établissement. Taille maximale : 1 Mo."),
    )


class YearForm(DsfrBaseForm):
    year = forms.ChoiceField(label=_("Année scolaire"))

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(str(y.start_year), y.name) for y in years]
