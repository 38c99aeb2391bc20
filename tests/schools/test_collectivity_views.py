"""The collectivité's pages: its schools only, the actions it authorizes, its procedure sheets."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schools.models import AuthorizedAction, ProcedureSheet
from schools.services import MAX_SHEET_BYTES
from tests.factories import (
    MINIMAL_PDF,
    AuthorizedActionFactory,
    ProcedureSheetFactory,
    SchoolFactory,
)
from tests.utils import extract_form_fields, flat

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def actions_url(cast, code="CD21") -> str:
    return f"/collectivite/{code}/{cast.school_year.name}/actions/"


def post_action(client, cast, **values):
    fields = flat(extract_form_fields(client.get(actions_url(cast)).content, "action-form"))
    fields.update({f"action-{k}": v for k, v in values.items()})
    return client.post(actions_url(cast), fields)


def post_sheet(client, cast, action, name="procedure.pdf", data=MINIMAL_PDF, title="Créer les comptes"):
    fields = flat(extract_form_fields(client.get(actions_url(cast)).content, "sheet-form"))
    fields.update({"sheet-action": str(action.pk), "sheet-title": title, "sheet-file": SimpleUploadedFile(name, data)})
    return client.post(actions_url(cast), fields)


def test_collectivity_user_lands_on_its_page_listing_its_schools_only(client_for, cast):
    client = client_for(cast.collectivity_a)
    response = client.get("/collectivite/")
    assert response.status_code == 302 and response["Location"] == "/collectivite/CD21/"
    text = client.get("/collectivite/CD21/").content.decode()
    assert cast.school_a.name in text and cast.school_b.name in text
    assert cast.school_c.name not in text


def test_a_user_of_two_collectivities_chooses(client_for, cast):
    from tests.factories import RoleFactory

    RoleFactory(user=cast.collectivity_a, kind="collectivite", collectivity=cast.cd25)
    text = client_for(cast.collectivity_a).get("/collectivite/").content.decode()
    assert "/collectivite/CD21/" in text and "/collectivite/CD25/" in text


def test_collectivity_sees_its_schools_pages_not_the_others(client_for, cast):
    client = client_for(cast.collectivity_a)
    assert client.get(f"/etablissements/{cast.school_b.uai}/").status_code == 200
    assert client.get(f"/etablissements/{cast.school_c.uai}/").status_code == 404


def test_publishing_an_action_for_all_schools_from_the_rendered_form(client_for, cast):
    client = client_for(cast.collectivity_a)
    response = post_action(
        client,
        cast,
        action="amon",
        convention_reference="CONV-21-2026",
        convention_date="2026-06-15",
    )
    assert response.status_code == 302
    action = AuthorizedAction.objects.get()
    assert (action.collectivity, action.school, action.school_year) == (cast.cd21, None, cast.school_year)
    assert (action.convention_reference, str(action.convention_date)) == ("CONV-21-2026", "2026-06-15")
    assert action.created_by == cast.collectivity_a
    text = client.get(actions_url(cast)).content.decode()
    assert "Interface pédagogique AMON" in text and "tous les établissements" in text and "15 juin 2026" in text


def test_an_action_for_one_school_and_one_the_collectivity_names_itself(client_for, cast):
    client = client_for(cast.collectivity_a)
    response = post_action(client, cast, action="other", other_label="Gestion des imprimantes", school=cast.school_b.pk)
    assert response.status_code == 302
    action = AuthorizedAction.objects.get()
    assert (action.label, action.school) == ("Gestion des imprimantes", cast.school_b)


def test_another_action_needs_its_label_and_the_same_action_twice_is_refused(client_for, cast):
    client = client_for(cast.collectivity_a)
    response = post_action(client, cast, action="other")
    assert response.status_code == 400
    assert "Donnez l&#x27;intitulé de l&#x27;action autorisée." in response.content.decode()
    assert post_action(client, cast, action="accounts").status_code == 302
    response = post_action(client, cast, action="accounts")
    assert response.status_code == 400
    assert "déjà autorisée" in response.content.decode()
    assert AuthorizedAction.objects.count() == 1


def test_a_school_of_another_collectivity_cannot_be_chosen(client_for, cast):
    response = post_action(client_for(cast.collectivity_a), cast, action="amon", school=cast.school_c.pk)
    assert response.status_code == 400
    assert not AuthorizedAction.objects.exists()


def test_other_collectivity_gets_404_and_changes_nothing(client_for, cast):
    action = AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year)
    sheet = ProcedureSheetFactory(action=action)
    client = client_for(cast.collectivity_other)
    assert client.post(actions_url(cast), {"form": "action", "action-action": "amon"}).status_code == 404
    assert client.post(f"/collectivite/CD21/fiches/{sheet.pk}/valider/").status_code == 404
    assert client.post(f"/collectivite/CD25/fiches/{sheet.pk}/valider/").status_code == 404
    assert client.post(f"/collectivite/CD25/actions/{action.pk}/retirer/").status_code == 404
    sheet.refresh_from_db()
    assert not sheet.validated and AuthorizedAction.objects.count() == 1


# Procedure sheets


def test_upload_validate_and_download_a_procedure_sheet(client_for, cast):
    action = AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year, action="accounts")
    client = client_for(cast.collectivity_a)
    assert post_sheet(client, cast, action, name="Fiche comptes.PDF").status_code == 302
    sheet = ProcedureSheet.objects.get()
    assert (sheet.title, sheet.original_name, sheet.size, sheet.validated) == (
        "Créer les comptes",
        "Fiche comptes.PDF",
        len(MINIMAL_PDF),
        False,
    )
    assert sheet.file.name.startswith("fiches-procedure/") and "comptes" not in sheet.file.name
    assert len(sheet.file.name.split("/")[1]) == len("0" * 32 + ".pdf")  # a random name
    with default_storage.open(sheet.file.name) as stored:
        assert stored.read() == MINIMAL_PDF

    assert client.post(f"/collectivite/CD21/fiches/{sheet.pk}/valider/").status_code == 302
    sheet.refresh_from_db()
    assert sheet.validated and sheet.validated_by == cast.collectivity_a and sheet.validated_at

    response = client.get(f"/collectivite/CD21/fiches/{sheet.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="Fiche comptes.PDF"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == MINIMAL_PDF


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("capture.pdf", PNG, "Ce fichier n&#x27;est pas un PDF, malgré son nom"),
        ("fiche.txt", MINIMAL_PDF, "Seuls les fichiers PDF (.pdf) sont acceptés."),
        ("fiche.pdf", MINIMAL_PDF + b"0" * MAX_SHEET_BYTES, "la taille maximale est de 5 Mo"),
    ],
    ids=["renamed-png", "not-pdf-name", "too-big"],
)
def test_a_file_that_is_not_a_small_pdf_is_refused_and_nothing_stored(client_for, cast, name, data, message):
    action = AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year)
    before = stored_sheets()
    response = post_sheet(client_for(cast.collectivity_a), cast, action, name=name, data=data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProcedureSheet.objects.exists()
    assert stored_sheets() == before


def stored_sheets() -> set[str]:
    return set(default_storage.listdir("fiches-procedure")[1]) if default_storage.exists("fiches-procedure") else set()


def test_a_sheet_for_an_action_of_another_collectivity_cannot_be_posted(client_for, cast):
    other = AuthorizedActionFactory(collectivity=cast.cd25, school_year=cast.school_year)
    AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year)
    response = post_sheet(client_for(cast.collectivity_a), cast, other)
    assert response.status_code == 400
    assert not ProcedureSheet.objects.exists()


def test_school_team_downloads_validated_sheets_of_its_collectivity_only(client_for, cast):
    action = AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year)
    validated = ProcedureSheetFactory(action=action, is_validated=True)
    draft = ProcedureSheetFactory(action=action)
    for_b = ProcedureSheetFactory(
        action=AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year, school=cast.school_b),
        is_validated=True,
    )
    elsewhere = ProcedureSheetFactory(
        action=AuthorizedActionFactory(collectivity=cast.cd25, school_year=cast.school_year), is_validated=True
    )
    client = client_for(cast.referent_a)
    base = f"/etablissements/{cast.school_a.uai}/fiches/"
    response = client.get(f"{base}{validated.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == MINIMAL_PDF
    for sheet in (draft, for_b, elsewhere):
        assert client.get(f"{base}{sheet.pk}/").status_code == 404
    assert client_for(cast.principal_b).get(f"{base}{validated.pk}/").status_code == 404
    assert client_for(cast.dane).get(f"{base}{validated.pk}/").status_code == 403


def test_sheets_are_not_served_as_media(client_for, cast):
    sheet = ProcedureSheetFactory(
        action=AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year), is_validated=True
    )
    assert client_for(cast.collectivity_a).get(f"/media/{sheet.file.name}").status_code == 404


def test_withdrawing_an_action_removes_its_sheets_and_their_files(client_for, cast, django_capture_on_commit_callbacks):
    action = AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year)
    sheet = ProcedureSheetFactory(action=action)
    name = sheet.file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.collectivity_a).post(f"/collectivite/CD21/actions/{action.pk}/retirer/")
    assert response.status_code == 302
    assert not AuthorizedAction.objects.exists() and not ProcedureSheet.objects.exists()
    assert not default_storage.exists(name)


def test_deleting_a_sheet_removes_its_file(client_for, cast, django_capture_on_commit_callbacks):
    sheet = ProcedureSheetFactory(action=AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year))
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.collectivity_a).post(f"/collectivite/CD21/fiches/{sheet.pk}/supprimer/")
    assert not ProcedureSheet.objects.exists() and not default_storage.exists(sheet.file.name)


@pytest.mark.parametrize("size", [2, 20])
def test_actions_page_query_count_does_not_grow(client_for, cast, size):
    for index in range(size):
        school = SchoolFactory(collectivity=cast.cd21, departement=cast.school_a.departement)
        action = AuthorizedActionFactory(
            collectivity=cast.cd21, school_year=cast.school_year, school=school, action="other", other_label=f"A{index}"
        )
        ProcedureSheetFactory(action=action, is_validated=bool(index % 2))
    client = client_for(cast.collectivity_a)
    client.get(actions_url(cast))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(actions_url(cast)).status_code == 200
    assert len(queries) == EXPECTED_ACTIONS_QUERIES, [q["sql"] for q in queries]


EXPECTED_ACTIONS_QUERIES = 13


def test_home_page_links_the_collectivity_and_the_dane_pages(client_for, cast):
    assert "/collectivite/" in client_for(cast.collectivity_a).get("/").content.decode()
    dane_home = client_for(cast.dane).get("/").content.decode()
    assert "/dane/import-etablissements/" in dane_home and 'href="/collectivite/"' not in dane_home
    assert "/dane/import-etablissements/" not in client_for(cast.rectorat).get("/").content.decode()
