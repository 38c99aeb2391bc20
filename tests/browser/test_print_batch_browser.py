"""Documents in Chromium: a CA sheet preview, and a batch printing whose progress moves without a reload."""

import datetime
import zipfile

from django.utils import timezone
from playwright.sync_api import Page, expect

from documents.models import PrintBatch
from missions.services import plan_get_or_create
from tests.conftest import PASSWORD


def test_progress_updates_in_place_then_offers_the_zip(
    page: Page, transactional_db, cast, settings, tmp_path, screenshots_dir
):
    settings.MEDIA_ROOT = tmp_path
    batch = PrintBatch.objects.create(
        requested_by=cast.dane, academie=cast.dijon, school_year=cast.school_year, state="running", total=4, done=1
    )
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(cast.dane.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"/impressions/{batch.pk}/")
    expect(page.locator("#batch-done")).to_have_text("1")
    expect(page.locator("#batch-download")).to_be_hidden()
    page.evaluate("window.rupnNotReloaded = true")

    failure = {"uai": cast.school_b.uai, "name": "Collège Marcelle Pardé", "error": "mise en page impossible"}
    PrintBatch.objects.filter(pk=batch.pk).update(done=3, failures=[failure])
    expect(page.locator("#batch-done")).to_have_text("3")
    expect(page.locator("#batch-progress")).to_have_attribute("value", "3")
    expect(page.locator("#batch-failures")).to_contain_text("Collège Marcelle Pardé")

    (tmp_path / "impressions").mkdir()
    with zipfile.ZipFile(tmp_path / "impressions" / "lot.zip", "w") as archive:
        archive.writestr(f"{cast.school_a.uai}.pdf", b"%PDF-1.7")
    now = timezone.now()
    PrintBatch.objects.filter(pk=batch.pk).update(
        state="done", done=4, file="impressions/lot.zip", finished_at=now, expires_at=now + datetime.timedelta(days=3)
    )
    link = page.get_by_role("link", name="Télécharger l'archive (ZIP)")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", f"/impressions/{batch.pk}.zip")
    expect(page.locator("#batch-state-label")).to_have_text("Terminée")
    assert page.evaluate("window.rupnNotReloaded") is True
    page.screenshot(path=screenshots_dir / "print-batch-done.png", full_page=True)

    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"fiches-ca-07-{cast.school_year.name}.zip"


def assert_fits_320px(page: Page, screenshot=None):
    """At 320 px wide, nothing scrolls sideways (the document preview reflows like the rest of the page)."""
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        width = page.evaluate("() => document.scrollingElement.scrollWidth")
        assert width <= 320, f"{page.url} scrolls sideways at 320 px ({width} px)"
        if screenshot:
            page.screenshot(path=screenshot, full_page=True)
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})


def login(page: Page, user):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_principal_previews_the_ca_sheet_from_the_allocation_page(page: Page, transactional_db, cast, screenshots_dir):
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    plan.rows.get(mission__code="communicate").holders.add(cast.referent_person)
    login(page, cast.principal_a)
    page.goto(f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/repartition/")

    page.get_by_role("link", name="aperçu — fiche pour le conseil d'administration").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Répartition des missions de référent")
    expect(page.locator("article.rupn-doc")).to_contain_text("Romain Référent")
    expect(page.get_by_role("link", name="Télécharger le PDF")).to_have_attribute(
        "href", f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/fiche-ca.pdf"
    )
    page.screenshot(path=screenshots_dir / "ca-sheet-preview.png", full_page=True)
    assert_fits_320px(page, screenshots_dir / "ca-sheet-preview-320.png")
    page.goto(f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/lettres/{cast.referent_person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lettre de mission")
    assert_fits_320px(page)


def test_dane_starts_a_batch_from_the_menu(page: Page, transactional_db, cast, settings, tmp_path, screenshots_dir):
    settings.MEDIA_ROOT = tmp_path
    plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    login(page, cast.dane)
    page.get_by_role("link", name="Impressions").click()
    page.get_by_label("Établissements").select_option(label="Département 21 Côte-d'Or")
    page.screenshot(path=screenshots_dir / "print-batches-form.png", full_page=True)
    assert_fits_320px(page)

    page.get_by_role("button", name="Lancer l'impression").click()  # jobs run in-process here

    expect(page.locator("#batch-state-label")).to_have_text("Terminée")
    expect(page.get_by_role("link", name="Télécharger l'archive (ZIP)")).to_be_visible()
    assert_fits_320px(page)
