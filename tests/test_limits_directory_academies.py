"""The directory import never writes across académies (issue 16, point 1): a DANE's file that names another
académie's school is skipped and counted, the school unchanged; only staff's import_schools command moves a school
between académies, and it says so."""

import html
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from schools.models import School
from tests.schools.test_directory_import import annuaire, line
from tests.utils import extract_form_fields, flat


def _fields(school: School) -> tuple:
    school.refresh_from_db()
    return (school.name, school.departement_id, school.collectivity_id, school.is_active, school.commune)


def _dane_import(client, data: bytes, *, full: bool = False):
    url = reverse("schools:directory_import")
    fields = flat(extract_form_fields(client.get(url).content, "directory-import-form"))
    fields["file"] = SimpleUploadedFile("annuaire.csv", data, content_type="text/csv")
    if full:
        fields["full_academie"] = "on"
    return client.post(url, fields)


def test_a_dane_import_leaves_another_academies_school_unchanged(client_for, cast):
    besancon_school = cast.school_c
    before = _fields(besancon_school)
    data = annuaire(line(besancon_school.uai, "Collège Pris", departement="21", academie="07", state="A FERMER"))
    client = client_for(cast.dane)
    response = _dane_import(client, data, full=True)
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "établissements rattachés à une autre académie dans RUPN, laissés inchangés" in text
    assert _fields(besancon_school) == before
    assert besancon_school.departement.academie == cast.besancon
    detail = reverse("schools:detail", args=[besancon_school.uai])
    assert client_for(cast.dane_other).get(detail).status_code == 200
    assert client_for(cast.dane).get(detail).status_code == 404


def test_the_skipped_line_is_counted_and_the_others_are_imported(client_for, cast):
    data = annuaire(
        line(cast.school_a.uai, "Collège Les Lentillères rénové"),
        line(cast.school_c.uai, "Collège Pris", departement="21", academie="07"),
    )
    response = _dane_import(client_for(cast.dane), data)
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.updated, result.skipped, result.skipped_reasons) == (1, 1, {"academie_in_rupn": 1})
    assert School.objects.get(pk=cast.school_a.pk).name == "Collège Les Lentillères rénové"
    assert School.objects.get(pk=cast.school_c.pk).name == "Collège Victor Hugo"


def test_only_the_staff_command_moves_a_school_and_says_so(cast, tmp_path):
    path = tmp_path / "annuaire.csv"
    path.write_bytes(annuaire(line(cast.school_c.uai, "Collège Victor Hugo", departement="21", academie="07")))
    out = io.StringIO()
    call_command("import_schools", str(path), stdout=out)
    school = School.objects.select_related("departement__academie").get(pk=cast.school_c.pk)
    assert school.departement.academie == cast.dijon
    output = out.getvalue()
    assert "Changés d'académie : 1 (seule cette commande le fait" in output
    assert f"{cast.school_c.uai} : académie 03 → académie 07" in output
