"""Form fields every app shares, in the DSFR way."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """The DSFR date input: the browser's date picker, shown in French (jj/mm/aaaa); it sends an ISO date."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateField(forms.DateField):
    """A date typed or picked in French: the picker's ISO value, or JJ/MM/AAAA where there is no picker."""

    widget = DateInput
    input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
    default_error_messages = {"invalid": _("Saisissez une date valide, au format JJ/MM/AAAA.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Format attendu : JJ/MM/AAAA"))
        super().__init__(**kwargs)

    def to_python(self, value) -> datetime.date | None:
        return super().to_python(value.strip() if isinstance(value, str) else value)
