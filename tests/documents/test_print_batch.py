"""Batch printing of the CA sheets: the pages, the job (run in-process here), the ZIP and who may fetch it."""

import datetime
import io
import zipfile

import pytest
from django.utils import timezone

from documents import printing
from documents.models import PrintBatch
from documents.printing import print_batch_run, print_batch_start, print_batches_purge
from documents.tasks import print_batch
from missions.services import plan_get_or_create
from tests.documents.utils import done_batch, pdf_text
from tests.factories import DepartementFactory, SchoolFactory
from tests.utils import extract_form_fields


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def plans(cast, filled_plan):
    """Plans in school A (filled), school B (empty draft), school C (Besançon: never in a Dijon batch)."""
    plan_get_or_create(school=cast.school_b, school_year=cast.school_year)
    plan_get_or_create(school=cast.school_c, school_year=cast.school_year)
    nievre = DepartementFactory(code="58", name="Nièvre", academie=cast.dijon)
    nevers = SchoolFactory(name="Collège Victor Hugo", commune="Nevers", departement=nievre, collectivity=cast.cd21)
    plan_get_or_create(school=nevers, school_year=cast.school_year)
    return {"nevers": nevers}


def zip_names(batch: PrintBatch) -> list[str]:
    with batch.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        return sorted(archive.namelist())


def start_from_page(client, scope_label: str, django_capture_on_commit_callbacks):
    """Post the form back from the page, with the option of that label chosen."""
    page = client.get("/impressions/")
    assert page.status_code == 200
    data = extract_form_fields(page.content, "print-batch-form")
    html = page.content.decode().replace("&#x27;", "'")
    data["scope"] = [html.split(f">{scope_label}</option>")[0].rsplit('value="', 1)[1].split('"')[0]]
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/impressions/", {k: v[0] for k, v in data.items()})


def test_dane_prints_the_whole_academie_into_one_zip_named_by_uai(
    client_for, cast, plans, django_capture_on_commit_callbacks
):
    client = client_for(cast.dane)
    response = start_from_page(client, "Toute l'académie de Dijon", django_capture_on_commit_callbacks)

    batch = PrintBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/impressions/{batch.pk}/"
    assert (batch.state, batch.done, batch.total, batch.failures) == ("done", 3, 3, [])
    assert zip_names(batch) == sorted(f"{s.uai}.pdf" for s in (cast.school_a, cast.school_b, plans["nevers"]))
    with batch.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        _reader, pages = pdf_text(archive.read(f"{cast.school_a.uai}.pdf"))
    assert "Collège Les Lentillères" in pages[0] and "Hélène Bérégovoy" in " ".join(pages)

    state = client.get(f"/impressions/{batch.pk}/etat.json").json()
    assert state["state"] == "done" and (state["done"], state["total"], state["percent"]) == (3, 3, 100)
    assert state["download_url"] == f"/impressions/{batch.pk}.zip"
    page = client.get(f"/impressions/{batch.pk}/").content.decode()
    assert f'href="/impressions/{batch.pk}.zip"' in page and 'max="3" value="3"' in page

    download = client.get(f"/impressions/{batch.pk}.zip")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert f'filename="fiches-ca-07-{cast.school_year.name}.zip"' in download["Content-Disposition"]
    content = b"".join(download.streaming_content)
    download.close()
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None


def test_rectorat_prints_one_departement(client_for, cast, plans, django_capture_on_commit_callbacks):
    start_from_page(client_for(cast.rectorat), "Département 58 Nièvre", django_capture_on_commit_callbacks)

    batch = PrintBatch.objects.get()
    assert batch.requested_by == cast.rectorat and batch.departement.code == "58"
    assert zip_names(batch) == [f"{plans['nevers'].uai}.pdf"]


def test_a_second_click_while_a_batch_runs_shows_the_running_batch(client_for, cast, plans):
    running = PrintBatch.objects.create(
        requested_by=cast.dane, academie=cast.dijon, school_year=cast.school_year, state="running", total=3, done=1
    )
    client = client_for(cast.dane)
    data = extract_form_fields(client.get("/impressions/").content, "print-batch-form")

    response = client.post("/impressions/", {k: v[0] for k, v in data.items()}, follow=True)

    assert response.redirect_chain == [(f"/impressions/{running.pk}/", 302)]
    assert "Une impression est déjà en cours : voici son avancement." in response.content.decode()
    assert PrintBatch.objects.count() == 1
    assert 'data-state="running"' in response.content.decode() and 'max="3" value="1"' in response.content.decode()


def test_a_batch_stuck_for_long_does_not_block_a_new_one(cast, plans, django_capture_on_commit_callbacks):
    stuck = PrintBatch.objects.create(
        requested_by=cast.dane, academie=cast.dijon, school_year=cast.school_year, state="running", total=3
    )
    PrintBatch.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        batch, created = print_batch_start(
            user=cast.dane, academie=cast.dijon, departement=None, school_year=cast.school_year
        )
    assert created and batch.pk != stuck.pk
    stuck.refresh_from_db()
    assert stuck.state == "failed"


def test_the_job_is_queued_on_commit_only(cast, plans, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch, created = print_batch_start(
            user=cast.dane, academie=cast.dijon, departement=None, school_year=cast.school_year
        )
    assert created and len(callbacks) == 1
    assert PrintBatch.objects.get(pk=batch.pk).state == "queued"


def test_a_failing_school_is_reported_by_name_and_the_others_are_kept(cast, plans, monkeypatch):
    render = printing.render_ca_sheet

    def fail_for_school_b(sheet):
        if sheet.header.uai == cast.school_b.uai:
            raise ValueError("mise en page impossible")
        return render(sheet)

    monkeypatch.setattr(printing, "render_ca_sheet", fail_for_school_b)
    batch = PrintBatch.objects.create(requested_by=cast.dane, academie=cast.dijon, school_year=cast.school_year)

    assert print_batch_run(batch.pk) == "done"

    batch.refresh_from_db()
    assert (batch.done, batch.total) == (3, 3)
    assert batch.failures == [
        {"uai": cast.school_b.uai, "name": "Collège Marcelle Pardé", "error": "mise en page impossible"}
    ]
    assert zip_names(batch) == sorted([f"{cast.school_a.uai}.pdf", f"{plans['nevers'].uai}.pdf", "ERREURS.txt"])
    with batch.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        assert "Collège Marcelle Pardé : mise en page impossible" in archive.read("ERREURS.txt").decode()


def test_running_the_job_twice_is_safe(cast, plans, media_root):
    batch = PrintBatch.objects.create(requested_by=cast.dane, academie=cast.dijon, school_year=cast.school_year)
    assert print_batch.delay(batch.pk).get() == "done"
    batch.refresh_from_db()
    first_file = batch.file.name

    assert print_batch.delay(batch.pk).get() == "done"  # a done batch is left as it is
    batch.refresh_from_db()
    assert batch.file.name == first_file and len(zip_names(batch)) == 3


def test_a_redelivered_job_restarts_the_batch_and_leaves_one_archive(cast, plans, media_root):
    batch = PrintBatch.objects.create(
        requested_by=cast.dane, academie=cast.dijon, school_year=cast.school_year, state="running", done=2, total=3
    )
    leftover = media_root / "impressions" / f"{batch.pk}-deadbeef.zip.part"  # the crashed run's file
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half a zip")

    assert print_batch_run(batch.pk) == "done"

    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.total) == ("done", 3, 3)
    assert [p.name for p in (media_root / "impressions").iterdir()] == [batch.file.name.split("/")[-1]]


def test_a_run_that_lost_its_batch_to_a_newer_run_stops_and_cleans_up(cast, plans, monkeypatch, media_root):
    batch = PrintBatch.objects.create(requested_by=cast.dane, academie=cast.dijon, school_year=cast.school_year)
    render = printing.render_ca_sheet

    def newer_run_takes_over(sheet):
        PrintBatch.objects.filter(pk=batch.pk).update(run_token="newer")
        return render(sheet)

    monkeypatch.setattr(printing, "render_ca_sheet", newer_run_takes_over)

    assert print_batch_run(batch.pk) == "superseded"
    assert list((media_root / "impressions").iterdir()) == []


def test_zip_is_only_for_the_person_who_asked(client_for, cast, settings, media_root):
    batch = done_batch(cast.dane, cast.dijon, cast.school_year, settings, media_root)
    for user in (cast.rectorat, cast.dane_other, cast.principal_a):
        client = client_for(user)
        assert client.get(f"/impressions/{batch.pk}.zip").status_code == 404
        assert client.get(f"/impressions/{batch.pk}/").status_code == 404
        assert client.get(f"/impressions/{batch.pk}/etat.json").status_code == 404
    response = client_for(cast.dane).get(f"/impressions/{batch.pk}.zip")
    assert response.status_code == 200
    response.close()


def test_an_expired_zip_is_gone_with_a_message(client_for, cast, settings, media_root):
    batch = done_batch(cast.dane, cast.dijon, cast.school_year, settings, media_root, expires_in_hours=-1)
    client = client_for(cast.dane)

    response = client.get(f"/impressions/{batch.pk}.zip")
    assert response.status_code == 410
    assert "Cette archive a expiré" in response.content.decode()
    assert client.get(f"/impressions/{batch.pk}/etat.json").json()["download_url"] == ""


def test_purge_deletes_expired_archives_only(cast, settings, media_root, client_for):
    old = done_batch(cast.dane, cast.dijon, cast.school_year, settings, media_root, expires_in_hours=-1)
    path = media_root / old.file.name
    fresh = done_batch(cast.rectorat, cast.dijon, cast.school_year, settings, media_root)
    fresh.file.name = "impressions/fresh.zip"
    fresh.save()
    (media_root / "impressions" / "fresh.zip").write_bytes(b"PK")

    assert print_batches_purge() == 1
    assert not path.exists() and (media_root / "impressions" / "fresh.zip").exists()
    old.refresh_from_db()
    assert old.file.name == ""
    assert client_for(cast.dane).get(f"/impressions/{old.pk}.zip").status_code == 410


def test_only_dane_and_rectorat_see_the_impressions_menu(client_for, cast):
    for user, shown in [
        (cast.dane, True),
        (cast.rectorat, True),
        (cast.principal_a, False),
        (cast.collectivity_a, False),
    ]:
        page = client_for(user).get(f"/etablissements/{cast.school_a.uai}/" if not shown else "/")
        assert ('href="/impressions/"' in page.content.decode()) is shown


def test_dane_of_another_academie_cannot_print_dijon(client_for, cast, plans):
    client = client_for(cast.dane_other)
    data = extract_form_fields(client.get("/impressions/").content, "print-batch-form")
    data["scope"] = [f"a{cast.dijon.pk}"]

    response = client.post("/impressions/", {k: v[0] for k, v in data.items()})

    assert response.status_code == 400
    assert not PrintBatch.objects.exists()
