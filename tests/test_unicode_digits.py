"""Digits that str.isdigit() accepts but int() refuses (superscripts) are refused like any other bad value."""

from rupn.lib.durations import parse_duration
from schools.models import SchoolYear


def test_a_superscript_duration_is_not_a_duration():
    assert parse_duration("²²") is None


def test_a_superscript_school_year_is_not_a_school_year():
    assert SchoolYear.parse_name("²⁰²⁶-²⁰²⁷") is None


def test_a_superscript_year_in_a_url_is_a_404_not_a_500(client_for, cast):
    client = client_for(cast.principal_a)
    assert client.get(f"/etablissements/{cast.school_a.uai}/²⁰²⁶-²⁰²⁷/repartition/").status_code == 404
    assert client.get("/activite/", {"annee": "²⁰²⁶-²⁰²⁷"}).status_code in (200, 403)
