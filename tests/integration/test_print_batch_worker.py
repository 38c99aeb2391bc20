"""A small batch of CA sheets goes through Redis to a real Celery worker and comes back as one ZIP."""

import io
import time
import zipfile

from documents.models import PrintBatch
from documents.printing import print_batch_start
from missions.services import plan_get_or_create
from tests.documents.utils import fill_plan, pdf_text
from tests.factories import PersonFactory, SchoolFactory


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_worker_prints_a_batch_into_a_zip_of_pdfs_named_by_uai(celery_worker, cast, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    people = {
        "referent": cast.referent_person,
        "helene": PersonFactory(school=cast.school_a, first_name="Hélène", last_name="Bérégovoy"),
        "francois": PersonFactory(school=cast.school_a, first_name="François", last_name="Lefèvre"),
        "zoe": PersonFactory(school=cast.school_a, first_name="Zoé", last_name="Cœurderoy"),
    }
    fill_plan(plan_get_or_create(school=cast.school_a, school_year=cast.school_year), people, by=cast.principal_a)
    plan_get_or_create(school=cast.school_b, school_year=cast.school_year)
    third = SchoolFactory(name="Collège Gaston Roupnel", departement=cast.school_a.departement, collectivity=cast.cd21)
    plan_get_or_create(school=third, school_year=cast.school_year)
    plan_get_or_create(school=cast.school_c, school_year=cast.school_year)  # Besançon: not in the batch

    batch, created = print_batch_start(
        user=cast.dane, academie=cast.dijon, departement=None, school_year=cast.school_year
    )  # queued on commit, run by the worker

    assert created and batch.total == 3
    assert wait_for(lambda: PrintBatch.objects.get(pk=batch.pk).state == "done"), PrintBatch.objects.get(pk=batch.pk)
    batch.refresh_from_db()
    assert (batch.done, batch.failures) == (3, [])

    client = client_for(cast.dane)
    state = client.get(f"/impressions/{batch.pk}/etat.json").json()
    assert (state["state"], state["done"], state["total"]) == ("done", 3, 3)
    response = client.get(state["download_url"])
    content = b"".join(response.streaming_content)
    response.close()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == sorted(f"{s.uai}.pdf" for s in (cast.school_a, cast.school_b, third))
        _reader, pages = pdf_text(archive.read(f"{cast.school_a.uai}.pdf"))
    text = " ".join(" ".join(pages).split())
    assert "Collège Les Lentillères" in text and "Zoé Cœurderoy" in text and "page 1 /" in text
