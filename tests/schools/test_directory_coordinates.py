"""The directory import keeps each school's latitude and longitude (the dashboard's map)."""

from decimal import Decimal

import pytest

from schools.directory_import import parse_coordinates
from schools.models import School
from tests.schools.test_directory_import import COLUMNS, DATA, annuaire, line, refused, run, uai


def test_both_export_formats_give_the_schools_coordinates(db):
    run((DATA / "geoloc_excerpt.csv").read_bytes())
    run((DATA / "annuaire_2026_excerpt.csv").read_bytes())
    coordinates = {s.uai: (s.latitude, s.longitude) for s in School.objects.all()}
    assert coordinates["0210001M"] == (Decimal("47.129794"), Decimal("4.488700"))  # adresse et géolocalisation
    assert coordinates["0211526V"] == (Decimal("47.335023"), Decimal("5.018110"))  # annuaire de l'éducation


def test_a_file_without_coordinates_keeps_the_recorded_ones_and_a_new_file_moves_them(db):
    with_coordinates = COLUMNS + ";latitude;longitude"
    run(annuaire(line(uai(1)) + ";47.3;5.04", header=with_coordinates))
    run(annuaire(line(uai(1))))  # the old export without the columns
    school = School.objects.get()
    assert (school.latitude, school.longitude) == (Decimal("47.300000"), Decimal("5.040000"))
    run(annuaire(line(uai(1)) + ";47,31;5,05", header=with_coordinates))  # a spreadsheet's decimal comma
    school.refresh_from_db()
    assert (school.latitude, school.longitude) == (Decimal("47.310000"), Decimal("5.050000"))


def test_unreadable_coordinates_refuse_the_file_with_the_line(db):
    error = refused(
        annuaire(line(uai(1)) + ";47.3;5.04", line(uai(2)) + ";nord;5", header=COLUMNS + ";latitude;longitude")
    )
    assert error.line == 3
    assert "coordonnées « nord ; 5 » illisibles" in str(error)
    assert not School.objects.exists()


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        ("47.1297944631154", "4.488699825549153", (Decimal("47.129794"), Decimal("4.488700"))),
        ("-21,1", "55,5", (Decimal("-21.100000"), Decimal("55.500000"))),  # La Réunion
        ("", "4.5", None),
        (" ", " ", None),
    ],
)
def test_parse_coordinates(latitude, longitude, expected):
    assert parse_coordinates(latitude, longitude) == expected


@pytest.mark.parametrize(("latitude", "longitude"), [("91", "4"), ("47", "181"), ("47.1.2", "4"), ("4e1", "4")])
def test_parse_coordinates_refuses_what_is_not_a_position(latitude, longitude):
    with pytest.raises(ValueError):
        parse_coordinates(latitude, longitude)
