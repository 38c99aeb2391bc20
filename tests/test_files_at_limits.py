"""Files at their limits (issue 16, point 4): a cell over 131 072 characters or a NUL byte is refused with its
line number by the staff, envelope and directory imports, never a 500, and nothing is written."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imp.models import Envelope
from schools.models import Person, School
from tests.factories import make_uai
from tests.schools.test_directory_import import annuaire, line
from tests.utils import extract_form_fields, flat

HUGE = "x" * 131_073
BAD_CELLS = {"huge cell": HUGE, "NUL byte": "Dup\x00ont"}


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("cell", BAD_CELLS.values(), ids=BAD_CELLS.keys())
def test_the_staff_import_refuses_the_line_with_its_number(client_for, cast, cell):
    content = f"nom;prenom;email\nMartin;Claude;\n{cell};Alice;\nDurand;Léa;\n"
    before = Person.objects.count()
    upload = SimpleUploadedFile("personnels.csv", content.encode(), content_type="text/csv")
    response = client_for(cast.principal_a).post(
        reverse("schools:staff", args=[cast.school_a.uai]), {"action": "import", "file": upload}
    )
    assert response.status_code == 400
    assert "Ligne 3 : " in page_text(response)
    assert Person.objects.count() == before


@pytest.mark.parametrize("cell", BAD_CELLS.values(), ids=BAD_CELLS.keys())
def test_the_envelope_import_refuses_the_line_with_its_number(client_for, cast, cell):
    client = client_for(cast.rectorat)
    url = reverse("imp:envelopes")
    data = extract_form_fields(client.get(url).content, "envelope-import-form")
    content = f"uai;montant\n{cast.school_a.uai};3750\n{cast.school_b.uai};{cell}\n".encode()
    response = client.post(url, {**flat(data), "import-file": SimpleUploadedFile("e.csv", content, "text/csv")})
    assert response.status_code == 400
    assert "Ligne 3 : " in page_text(response)
    assert not Envelope.objects.exists()


@pytest.mark.parametrize("cell", BAD_CELLS.values(), ids=BAD_CELLS.keys())
def test_the_directory_import_refuses_the_line_with_its_number(client_for, cast, cell):
    client = client_for(cast.dane)
    url = reverse("schools:directory_import")
    before = School.objects.count()
    data = annuaire(line(make_uai(210101)), line(make_uai(210102), cell))
    fields = flat(extract_form_fields(client.get(url).content, "directory-import-form"))
    fields["file"] = SimpleUploadedFile("annuaire.csv", data, content_type="text/csv")
    response = client.post(url, fields)
    assert response.status_code == 400
    assert "Ligne 3 : " in page_text(response)
    assert School.objects.count() == before
