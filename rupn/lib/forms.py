"""Form fields every app shares, in the DSFR way, and the bounds every date and number typed must keep.

Dates and times are kept between YEAR_MIN and YEAR_MAX (BoundedDateField, BoundedDateTimeField, the DSFR DateField);
integers within the database's integer column (IntegerField, VersionField), so that nothing out of range reaches
PostgreSQL: each gets a French message beside its field instead.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

YEAR_MIN = 2000
YEAR_MAX = 2100
INTEGER_MIN = -(2**31)  # PostgreSQL's integer (Django's IntegerField, PositiveIntegerField…)
INTEGER_MAX = 2**31 - 1
ID_MAX = 2**63 - 1  # the primary keys (BigAutoField): PostgreSQL's bigint, SQLite's INTEGER


def object_id(value) -> int | None:
    """An id posted or put in a query string (a ticked box, a hidden field), or None when it cannot name a row:
    not plain ASCII digits, or beyond the primary keys' range (which SQLite refuses with an OverflowError)."""
    text = str(value) if value is not None else ""
    if not (text.isascii() and text.isdecimal()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= ID_MAX else None


def check_year_bounds(value: datetime.date | datetime.datetime | None) -> None:
    """The validator of every date and date-time field: years YEAR_MIN to YEAR_MAX only."""
    if value is not None and not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValidationError(
            _("Saisissez une date entre %(min)d et %(max)d."),
            code="year_bounds",
            params={"min": YEAR_MIN, "max": YEAR_MAX},
        )


class _YearBounds:
    """The years' bounds, after the field's own narrower check when it has one (`check`: a callable raising
    ValidationError, e.g. within the school year), so that the narrower message is the one shown."""

    default_validators = [check_year_bounds]

    def __init__(self, *, check=None, **kwargs):
        self.check = check
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if self.check is not None and value not in self.empty_values:
            self.check(value)

    def widget_attrs(self, widget):
        """The bounds for the browser's picker too (min and max of a date or datetime-local input)."""
        attrs = super().widget_attrs(widget)
        kind = widget.attrs.get("type", getattr(widget, "input_type", ""))
        if kind == "date":
            attrs.update(min=f"{YEAR_MIN}-01-01", max=f"{YEAR_MAX}-12-31")
        elif kind == "datetime-local":
            attrs.update(min=f"{YEAR_MIN}-01-01T00:00", max=f"{YEAR_MAX}-12-31T23:59")
        return attrs


class BoundedDateField(_YearBounds, forms.DateField):
    """A date field (any widget) whose years stay between YEAR_MIN and YEAR_MAX."""


class BoundedDateTimeField(_YearBounds, forms.DateTimeField):
    """A date-time field (any widget) whose years, in local time, stay between YEAR_MIN and YEAR_MAX."""


class DateInput(forms.DateInput):
    """The DSFR date input: the browser's date picker, shown in French (jj/mm/aaaa); it sends an ISO date."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateField(BoundedDateField):
    """A date typed or picked in French: the picker's ISO value, or JJ/MM/AAAA where there is no picker."""

    widget = DateInput
    input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
    default_error_messages = {"invalid": _("Saisissez une date valide, au format JJ/MM/AAAA.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Format attendu : JJ/MM/AAAA"))
        super().__init__(**kwargs)

    def to_python(self, value) -> datetime.date | None:
        return super().to_python(value.strip() if isinstance(value, str) else value)


class IntegerField(forms.IntegerField):
    """An integer field that never goes beyond the database's integer column (narrower bounds may be given)."""

    def __init__(self, *, min_value: int = INTEGER_MIN, max_value: int = INTEGER_MAX, **kwargs):
        super().__init__(min_value=max(min_value, INTEGER_MIN), max_value=min(max_value, INTEGER_MAX), **kwargs)


class VersionField(IntegerField):
    """The hidden version of a versioned form (rupn.lib.concurrency): a non-negative database integer."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=0, **kwargs)
