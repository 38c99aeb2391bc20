"""The demo's real schools are placed where the open data files put them (the dashboard's map)."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from schools.models import School


@pytest.mark.django_db
def test_the_demo_gives_its_real_schools_their_coordinates_even_to_a_demo_loaded_before():
    call_command("load_demo", stdout=StringIO())
    located = School.objects.filter(latitude__isnull=False)
    assert located.count() >= 40  # the real collèges and lycées of the files
    for school in located:
        assert Decimal("46.1") < school.latitude < Decimal("48.5") and Decimal("2.8") < school.longitude < Decimal(
            "5.6"
        )
    montchapet = School.objects.get(uai="0211526V")
    assert (montchapet.latitude, montchapet.longitude) == (Decimal("47.335023"), Decimal("5.018110"))
    School.objects.update(latitude=None, longitude=None)  # as loaded before the map
    call_command("load_demo", stdout=StringIO())
    assert School.objects.filter(latitude__isnull=False).count() == located.count()
