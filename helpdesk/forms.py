"""Forms of the team's pages, in the DSFR markup."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from helpdesk.models import HELP_TRANSITIONS, HelpRequest
from rupn.lib.forms import DateField


class InviteForm(DsfrBaseForm):
    persons = forms.MultipleChoiceField(
        label=_("Personnels à inviter"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Chacun reçoit un courriel avec un lien pour choisir son mot de passe."),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persons"].choices = choices


class HelpRequestForm(DsfrBaseForm):
    kind = forms.ChoiceField(
        label=_("Nature de la demande"), choices=HelpRequest.Kind.choices, widget=forms.RadioSelect, initial="incident"
    )
    subject = forms.CharField(
        label=_("Quel est le problème, ou la question ?"),
        max_length=200,
        help_text=_("Par exemple : le vidéoprojecteur ne s'allume pas ; comment créer un cahier de textes partagé."),
    )
    row = forms.TypedChoiceField(label=_("Outil concerné"), required=False, coerce=int, empty_value=None)
    location = forms.CharField(
        label=_("Où ? (salle ou équipement)"), max_length=200, required=False, help_text=_("Par exemple : salle B12")
    )
    urgency = forms.ChoiceField(label=_("Urgence"), choices=HelpRequest.Urgency.choices, initial="normal")
    description = forms.CharField(
        label=_("Précisions (facultatif)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    screenshot = forms.FileField(
        label=_("Photo ou capture d'écran (facultatif)"),
        required=False,
        help_text=_("Image PNG ou JPEG, 2 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["row"].choices = [("", _("Je ne sais pas / autre"))] + [(str(pk), text) for pk, text in topics]


class HelpActionForm(DsfrBaseForm):
    action = forms.ChoiceField(choices=[(a, a) for a in HELP_TRANSITIONS], widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    note = forms.CharField(
        label=_("Message"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    ticket_number = forms.CharField(label=_("Numéro du ticket"), required=False, max_length=50)
    ticket_url = forms.CharField(
        label=_("Lien vers le ticket (facultatif)"),
        required=False,
        max_length=300,
        help_text=_("L'adresse du ticket dans l'outil de la collectivité, qui reste l'outil de référence."),
    )


class SessionForm(DsfrBaseForm):
    topic = forms.CharField(label=_("Thème"), max_length=200, help_text=_("Par exemple : prendre en main l'ENT"))
    day = DateField(label=_("Date"))
    time = forms.TimeField(
        label=_("Heure de début"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%Hh%M", "%H h %M"],
        help_text=_("Format attendu : HH:MM"),
        error_messages={"invalid": _("Saisissez une heure valide, au format HH:MM.")},
    )
    minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=1, max_value=12 * 60, initial=60)
    room = forms.CharField(label=_("Salle"), max_length=100)
    places = forms.IntegerField(label=_("Nombre de places"), min_value=1, max_value=500)

    def starts_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"]))

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("time") and self.starts_at() <= timezone.now():
            self.add_error("day", _("Une session se propose pour une date à venir."))
        return data


class AttendanceForm(DsfrBaseForm):
    present = forms.MultipleChoiceField(label=_("Présents"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = choices
