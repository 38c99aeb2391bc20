"""Forms of the activity log, the points d'étape and the DANE's events (DSFR markup through DsfrBaseForm)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from activity.models import ActivityEntry
from activity.selectors import year_months
from activity.services import ActivityInput, ReviewMinutes, ReviewSchedule
from events.forms import user_label
from missions.models import Mission
from rupn.lib.concurrency import BaseField
from rupn.lib.durations import parse_duration
from rupn.lib.formats import format_duration, month_name
from rupn.lib.forms import BoundedDateField, VersionField
from schools.models import Person, SchoolYear

DATE_WIDGET = {"type": "date"}


def _person_label(person: Person) -> str:
    return f"{person.school.name} ({person.school.uai})"


def check_activity_date(day: datetime.date) -> None:
    """An activity is logged once done, within the school years the log shows."""
    if day > timezone.localdate():
        raise forms.ValidationError(_("La date ne peut pas être dans le futur : on note une activité une fois faite."))
    # The log shows the school years RUPN knows, up to the current one: an entry dated outside them would be
    # saved and then appear in no list, no filter and no CSV.
    earliest = datetime.date(SchoolYear.start_year_for(timezone.localdate()) - 1, 9, 1)
    if day < earliest or not SchoolYear.objects.filter(start_year=SchoolYear.start_year_for(day)).exists():
        raise forms.ValidationError(
            _(
                "La date doit tomber dans l'année scolaire en cours ou la précédente (à partir du "
                "%(earliest)s) : le journal ne montre que ces années."
            )
            % {"earliest": date_format(earliest, "j F Y")}
        )


class ActivityForm(DsfrBaseForm):
    person = forms.TypedChoiceField(label=_("Établissement"), coerce=int)
    date = BoundedDateField(
        label=_("Date"),
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        check=check_activity_date,
    )
    mission = forms.TypedChoiceField(label=_("Mission"), coerce=int)
    duration = forms.CharField(
        label=_("Durée"), max_length=20, help_text=_("Par exemple : 1 h 30, 45 min, ou 1,5 pour une heure et demie.")
    )
    kind = forms.ChoiceField(label=_("Nature de l'activité"), choices=ActivityEntry.Kind.choices)
    ticket_number = forms.CharField(
        label=_("Numéro du ticket"),
        required=False,
        max_length=50,
        help_text=_("Obligatoire pour un ticket transmis au prestataire de la collectivité."),
    )
    ticket_url = forms.URLField(
        label=_("Lien vers le ticket (facultatif)"), required=False, max_length=300, assume_scheme="https"
    )
    description = forms.CharField(
        label=_("Ce qui a été fait"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Quelques mots suffisent : « Prise en main de l'ENT avec deux collègues de SVT »."),
    )

    def __init__(self, *args, persons: list[Person], own: list[Mission], others: list[Mission], **kwargs):
        super().__init__(*args, **kwargs)
        self.persons = {p.pk: p for p in persons}
        self.missions = {m.pk: m for m in [*own, *others]}
        self.fields["person"].choices = [(p.pk, _person_label(p)) for p in persons]
        if len(persons) == 1:
            self.fields["person"].widget = forms.HiddenInput()
        choices = [(m.pk, m.label) for m in others]
        if own:
            choices = [
                (_("Mes missions cette année"), [(m.pk, m.label) for m in own]),
                (_("Autres missions"), choices),
            ]
        self.fields["mission"].choices = [("", _("Choisir une mission")), *choices]
        self.fields["kind"].choices = [("", _("Choisir la nature")), *ActivityEntry.Kind.choices]

    @staticmethod
    def initial_for(entry: ActivityEntry) -> dict:
        return {
            "person": entry.person_id,
            "date": entry.date,
            "mission": entry.mission_id,
            "duration": format_duration(entry.minutes),
            "kind": entry.kind,
            "ticket_number": entry.ticket_number,
            "ticket_url": entry.ticket_url,
            "description": entry.description,
        }

    def clean_duration(self):
        minutes = parse_duration(self.cleaned_data["duration"])
        if minutes is None:
            raise forms.ValidationError(_("Durée non reconnue : écrivez par exemple 1 h 30, 45 min ou 1,5."))
        if not 1 <= minutes <= ActivityEntry.MAX_MINUTES:
            raise forms.ValidationError(_("La durée doit être comprise entre 1 minute et 12 heures."))
        return minutes

    def clean(self):
        data = super().clean()
        if data.get("kind") == ActivityEntry.Kind.TICKET and not (data.get("ticket_number") or "").strip():
            self.add_error("ticket_number", _("Indiquez le numéro du ticket transmis au prestataire."))
        return data

    def chosen_person(self) -> Person:
        return self.persons[self.cleaned_data["person"]]

    def to_input(self) -> ActivityInput:
        data = self.cleaned_data
        return ActivityInput(
            mission=self.missions[data["mission"]],
            date=data["date"],
            minutes=data["duration"],
            kind=data["kind"],
            description=data["description"],
            ticket_number=data["ticket_number"],
            ticket_url=data["ticket_url"],
        )


class ActivityFilterForm(DsfrBaseForm):
    """The log's filters (GET): school year (referent's page), month, mission, person (school's page)."""

    annee = forms.ChoiceField(label=_("Année scolaire"), required=False)
    mois = forms.ChoiceField(label=_("Mois"), required=False)
    mission = forms.TypedChoiceField(label=_("Mission"), required=False, coerce=int, empty_value=None)
    personne = forms.TypedChoiceField(label=_("Référent"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, school_year: SchoolYear, years=None, missions=(), people=None, **kwargs):
        # Its own ids (id_filter_mission…): the referent's page also holds the entry form, whose fields share names.
        kwargs.setdefault("auto_id", "id_filter_%s")
        super().__init__(*args, **kwargs)
        self.school_year = school_year
        if years is None:
            del self.fields["annee"]
        else:
            self.fields["annee"].choices = [(y.name, y.name) for y in years]
        self.fields["mois"].choices = [("", _("Toute l'année"))] + [
            (m.strftime("%Y-%m"), month_name(m)) for m in year_months(school_year)
        ]
        self.fields["mission"].choices = [("", _("Toutes les missions"))] + [
            (m.pk, m.label) for m in missions if m.kind != Mission.Kind.GROUP
        ]
        if people is None:
            del self.fields["personne"]
        else:
            self.fields["personne"].choices = [("", _("Tous les référents"))] + [(p.pk, p.full_name) for p in people]

    def month(self) -> datetime.date | None:
        value = self.cleaned_data.get("mois") if self.is_valid() else ""
        return datetime.date(int(value[:4]), int(value[5:7]), 1) if value else None

    def value(self, name: str):
        return self.cleaned_data.get(name) if self.is_valid() else None


class ReviewScheduleForm(DsfrBaseForm):
    version = VersionField(required=False)
    base = BaseField()
    date = BoundedDateField(
        label=_("Date du point d'étape"),
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    place = forms.CharField(
        label=_("Lieu ou lien de la visioconférence"),
        required=False,
        max_length=300,
        help_text=_("Par exemple : salle du conseil, ou le lien de la classe virtuelle."),
    )
    principal = forms.TypedChoiceField(label=_("Chef d'établissement"), required=False, coerce=int, empty_value=None)
    dane_adviser = forms.TypedChoiceField(
        label=_("Conseiller de la DANE"), required=False, coerce=int, empty_value=None
    )
    referents = forms.TypedMultipleChoiceField(
        label=_("Référents"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {
            "principal": {u.pk: u for u in choices.principals},
            "dane_adviser": {u.pk: u for u in choices.advisers},
            "referents": {p.pk: p for p in choices.referents},
        }
        self.fields["principal"].choices = [("", _("Non précisé"))] + [
            (u.pk, user_label(u)) for u in choices.principals
        ]
        self.fields["dane_adviser"].choices = [("", _("Non précisé"))] + [
            (u.pk, user_label(u)) for u in choices.advisers
        ]
        self.fields["referents"].choices = [(p.pk, p.full_name) for p in choices.referents]
        if not choices.referents:
            self.fields["referents"].help_text = _("Aucun référent n'est encore désigné dans le plan de l'année.")

    @staticmethod
    def initial_for(review) -> dict:
        return {
            "version": review.version,
            "date": review.date,
            "place": review.place,
            "principal": review.principal_id,
            "dane_adviser": review.dane_adviser_id,
            "referents": [p.pk for p in review.referents.all()],
        }

    def to_schedule(self) -> ReviewSchedule:
        data = self.cleaned_data
        return ReviewSchedule(
            date=data["date"],
            place=data["place"],
            principal=self.people["principal"].get(data["principal"]),
            dane_adviser=self.people["dane_adviser"].get(data["dane_adviser"]),
            referents=[self.people["referents"][pk] for pk in data["referents"]],
        )


class ReviewMinutesForm(DsfrBaseForm):
    version = VersionField()
    base = BaseField()
    achievements = forms.CharField(
        label=_("Ce qui a été fait"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    difficulties = forms.CharField(
        label=_("Difficultés rencontrées"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    decisions = forms.CharField(
        label=_("Décisions"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    training_needs = forms.CharField(
        label=_("Besoins de formation"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    @staticmethod
    def initial_for(review) -> dict:
        return {
            "version": review.version,
            "achievements": review.achievements,
            "difficulties": review.difficulties,
            "decisions": review.decisions,
            "training_needs": review.training_needs,
        }

    def to_minutes(self) -> ReviewMinutes:
        data = self.cleaned_data
        return ReviewMinutes(
            achievements=data["achievements"],
            difficulties=data["difficulties"],
            decisions=data["decisions"],
            training_needs=data["training_needs"],
        )
