"""The forms of the events pages: an event, the attendance list."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from events.ics import CONTROL_CHARACTERS, one_line_breaks
from events.models import Event
from events.services import EventInput
from rupn.lib.forms import BoundedDateTimeField
from schools.models import User

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def user_label(user: User) -> str:
    return user.get_full_name() or user.email


class EventForm(DsfrBaseForm):
    kind = forms.ChoiceField(label=_("Type d'événement"), choices=Event.Kind.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    description = forms.CharField(
        label=_("Présentation (facultatif)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_at = BoundedDateTimeField(label=_("Début"), widget=DATETIME_WIDGET, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = BoundedDateTimeField(label=_("Fin"), widget=DATETIME_WIDGET, input_formats=["%Y-%m-%dT%H:%M"])
    place = forms.CharField(label=_("Lieu"), required=False, max_length=300)
    link = forms.URLField(label=_("Lien de la classe virtuelle"), required=False, max_length=300, assume_scheme="https")
    capacity = forms.IntegerField(
        label=_("Nombre de places"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text=_("Laissez vide : sans limite."),
    )
    audience = forms.ChoiceField(label=_("Public"), choices=Event.Audience.choices)

    @staticmethod
    def initial_for(event: Event) -> dict:
        return {
            "kind": event.kind,
            "title": event.title,
            "description": event.description,
            "starts_at": timezone.localtime(event.starts_at),
            "ends_at": timezone.localtime(event.ends_at),
            "place": event.place,
            "link": event.link,
            "capacity": event.capacity,
            "audience": event.audience,
        }

    def _clean_text(self, name: str) -> str:
        """One kind of line break (LF, as the .ics gives it back); no invisible control character."""
        value = one_line_breaks(self.cleaned_data[name])
        if CONTROL_CHARACTERS.search(value):
            raise forms.ValidationError(_("Ce texte contient un caractère de contrôle invisible : retirez-le."))
        return value

    def clean_title(self) -> str:
        return self._clean_text("title")

    def clean_description(self) -> str:
        return self._clean_text("description")

    def clean_place(self) -> str:
        return self._clean_text("place")

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("La fin doit suivre le début de l'événement."))
        if not (data.get("place") or data.get("link")) and "place" not in self.errors and "link" not in self.errors:
            self.add_error("place", _("Indiquez le lieu, ou le lien de la classe virtuelle."))
        return data

    def to_input(self) -> EventInput:
        data = self.cleaned_data
        return EventInput(
            kind=data["kind"],
            title=data["title"],
            description=data["description"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data["place"],
            link=data["link"],
            capacity=data["capacity"],
            audience=data["audience"],
        )


class AttendanceForm(DsfrBaseForm):
    present = forms.TypedMultipleChoiceField(
        label=_("Présents"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(r.user_id, user_label(r.user)) for r in registrations]
