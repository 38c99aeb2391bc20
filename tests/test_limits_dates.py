"""Dates and numbers with bounds in every form (issue 16, points 2 and 3): every date and date-time field keeps to
the years 2000–2100 (rupn.lib.forms.check_year_bounds), every integer to the database's integer column, every
decimal to a number of digits; an event from 0001-01-01T00:05 is a French message, nothing saved."""

import html
import importlib
import pkgutil

import pytest
from django import forms
from django.urls import reverse

from events.models import Event
from rupn.lib.forms import INTEGER_MAX, INTEGER_MIN, BoundedDateField, BoundedDateTimeField, check_year_bounds
from tests.utils import extract_form_fields, flat

APPS = [
    "activity",
    "badges",
    "dashboard",
    "documents",
    "events",
    "imp",
    "missions",
    "notifications",
    "portal",
    "recognition",
    "schools",
]


def project_forms() -> list[type[forms.BaseForm]]:
    """Every form class our apps declare (their modules imported, migrations and commands aside)."""
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in APPS:
            found.append(cls)
    return sorted(set(found), key=lambda c: (c.__module__, c.__qualname__))


def unbounded(cls: type[forms.BaseForm]) -> list[str]:
    problems = []
    for name, field in cls.base_fields.items():
        if isinstance(field, forms.DateField | forms.DateTimeField) and check_year_bounds not in field.validators:
            problems.append(f"{name}: a date without the 2000–2100 bounds")
        elif isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField | forms.FloatField):
            if field.min_value is None or field.max_value is None:
                problems.append(f"{name}: an integer without bounds")
            elif not INTEGER_MIN <= field.min_value <= field.max_value <= INTEGER_MAX:
                problems.append(f"{name}: bounds beyond the database's integer")
        if isinstance(field, forms.DecimalField) and field.max_digits is None and field.max_value is None:
            problems.append(f"{name}: a decimal without max_digits")
    return problems


def test_the_forms_are_found():
    names = {cls.__name__ for cls in project_forms()}
    assert {"EventForm", "EnvelopeForm", "ReviewScheduleForm", "LeaveForm", "PrintBatchForm"} <= names


@pytest.mark.parametrize("cls", project_forms(), ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_date_and_number_of_every_form_is_bounded(cls):
    assert unbounded(cls) == []


@pytest.mark.parametrize(
    ("field", "value", "valid"),
    [
        (BoundedDateField(), "1999-12-31", False),
        (BoundedDateField(), "2000-01-01", True),
        (BoundedDateField(), "2100-12-31", True),
        (BoundedDateField(), "2101-01-01", False),
        (BoundedDateTimeField(input_formats=["%Y-%m-%dT%H:%M"]), "0001-01-01T00:05", False),
        (BoundedDateTimeField(input_formats=["%Y-%m-%dT%H:%M"]), "9999-12-31T23:59", False),
        (BoundedDateTimeField(input_formats=["%Y-%m-%dT%H:%M"]), "2100-12-31T23:59", True),
    ],
)
def test_the_year_bounds(field, value, valid):
    if valid:
        assert field.clean(value)
    else:
        with pytest.raises(forms.ValidationError) as caught:
            field.clean(value)
        assert caught.value.messages == ["Saisissez une date entre 2000 et 2100."]


@pytest.mark.parametrize("starts_at", ["0001-01-01T00:05", "9999-12-31T23:59", "1999-12-31T23:00"])
def test_an_event_outside_the_years_is_a_message_and_nothing_is_saved(client_for, cast, starts_at):
    client = client_for(cast.dane)
    url = reverse("missions:event_create")
    data = extract_form_fields(client.get(url).content, "event-form")
    data.update(
        kind=["training"],
        title=["Formation"],
        starts_at=[starts_at],
        ends_at=["2030-01-10T13:00"],
        place=["Dijon"],
        audience=["all"],
    )
    response = client.post(url, flat(data))
    assert response.status_code in (200, 400)
    assert "Saisissez une date entre 2000 et 2100." in html.unescape(response.content.decode())
    assert not Event.objects.exists()


def test_the_pickers_carry_the_bounds():
    date = BoundedDateField(widget=forms.DateInput(attrs={"type": "date"}))
    moment = BoundedDateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    assert 'min="2000-01-01"' in date.widget.render("d", None) and 'max="2100-12-31"' in date.widget.render("d", None)
    assert 'min="2000-01-01T00:00"' in moment.widget.render("m", None)
    assert 'max="2100-12-31T23:59"' in moment.widget.render("m", None)
