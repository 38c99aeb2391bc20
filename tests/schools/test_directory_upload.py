"""/dane/import-etablissements/: the DANE loads its own académie's schools from the directory export."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from schools.models import School
from tests.factories import make_uai
from tests.schools.test_directory_import import annuaire, line
from tests.utils import extract_form_fields, flat

URL = "/dane/import-etablissements/"
DATA = Path(__file__).parent / "data"


def post_file(client, data: bytes, **choices):
    fields = flat(extract_form_fields(client.get(URL).content, "directory-import-form"))
    fields.update(choices)
    fields["file"] = SimpleUploadedFile("annuaire.csv", data, content_type="text/csv")
    return client.post(URL, fields)


def test_dane_imports_its_academie_and_reads_the_counts(client_for, cast):
    client = client_for(cast.dane)
    page = client.get(URL).content.decode()
    assert "Académie de Dijon" in page and "Besançon" not in page
    response = post_file(client, (DATA / "annuaire_2026_excerpt.csv").read_bytes())
    assert response.status_code == 200
    text = response.content.decode()
    assert "Import terminé" in text and "Annuaire de l&#x27;éducation" in text
    assert "<li>créés : 4</li>" in text
    assert "sections et SEGPA rattachées à un établissement : 1" in text
    assert School.objects.filter(uai="0211526V", collectivity=cast.cd21).exists()


def test_rows_of_another_academie_are_skipped_not_imported(client_for, cast):
    data = annuaire(line(make_uai(210301)), line(make_uai(250301), departement="25", academie="03"))
    response = post_file(client_for(cast.dane), data)
    text = response.content.decode()
    assert "établissements d&#x27;une autre académie : 1" in text
    assert School.objects.filter(uai=make_uai(210301)).exists()
    assert not School.objects.filter(uai=make_uai(250301)).exists()
    response = post_file(client_for(cast.dane_other), data)
    assert School.objects.filter(uai=make_uai(250301)).exists()


def test_a_dane_cannot_choose_another_academie(client_for, cast):
    data = annuaire(line(make_uai(250301), departement="25", academie="03"))
    response = post_file(client_for(cast.dane), data, academie=str(cast.besancon.pk))
    assert response.status_code == 400
    assert not School.objects.filter(uai=make_uai(250301)).exists()


def test_a_bad_file_is_refused_whole_with_its_line(client_for, cast):
    bad = make_uai(210302)[:7] + ("A" if make_uai(210302)[7] != "A" else "B")
    response = post_file(client_for(cast.dane), annuaire(line(make_uai(210301)), line(bad)))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Le fichier est refusé : rien n'a été importé." in text
    assert "Ligne 3 : l&#x27;UAI" in text
    assert not School.objects.filter(uai=make_uai(210301)).exists()


def test_full_academie_option_closes_the_missing_colleges(client_for, cast):
    response = post_file(client_for(cast.dane), annuaire(line(make_uai(210301))), full_academie="on")
    assert response.status_code == 200
    cast.school_a.refresh_from_db()
    cast.school_c.refresh_from_db()
    assert not cast.school_a.is_active  # a collège of Dijon missing from the file
    assert cast.school_c.is_active  # Besançon's: not this DANE's académie
    assert "absents du fichier, marqués fermés : 2" in response.content.decode()


def test_the_form_is_refused_to_other_roles(client_for, cast):
    for user in (cast.principal_a, cast.rectorat, cast.collectivity_a):
        response = client_for(user).post(URL, {"file": SimpleUploadedFile("a.csv", b"x")})
        assert response.status_code == 403
