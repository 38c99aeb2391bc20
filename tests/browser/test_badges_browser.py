"""The DANE defines a badge, awards it in bulk to a filtered list; the referent downloads the baked PNG."""

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from badges.baking import unbake_png
from badges.models import BadgeAward
from badges.openbadges import hash_identity
from missions.models import AllocationPlan
from missions.services import plan_get_or_create
from tests.badges.conftest import make_referent
from tests.browser.a11y import log_in
from tests.factories import tiny_png


def _submit_plan(school, school_year, *persons):
    plan = plan_get_or_create(school=school, school_year=school_year)
    plan.rows.get(mission__code="communicate").holders.add(*persons)
    AllocationPlan.objects.filter(pk=plan.pk).update(state="submitted", submitted_at="2026-10-01T10:00:00Z")


def test_dane_awards_a_badge_in_bulk_and_the_referent_downloads_it_baked(
    page: Page, transactional_db, cast, base_url, screenshots_dir
):
    held = make_referent(cast.school_b, "tenant@ac-dijon.fr", first_name="Théo", last_name="Tenant")
    make_referent(cast.school_b, "sans.mission@ac-dijon.fr", first_name="Sacha", last_name="Sansmission")
    _submit_plan(cast.school_a, cast.school_year, cast.referent_person)
    _submit_plan(cast.school_b, cast.school_year, held.persons.get())

    log_in(page, base_url, cast.dane)
    page.goto("/badges/")
    page.get_by_role("link", name="Créer un badge").click()
    page.get_by_label("Nom du badge").fill(f"Référent numérique {cast.school_year.name}")
    page.get_by_label("Description").fill("Référent numérique d'un établissement de l'académie de Dijon.")
    page.get_by_label("Critères d'obtention").fill("A tenu une mission toute l'année.")
    page.get_by_label("Image du badge").set_input_files(
        {"name": "badge.png", "mimeType": "image/png", "buffer": tiny_png(8, 8)}
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Référent numérique {cast.school_year.name}")

    page.get_by_role("link", name="Délivrer ce badge").click()
    page.get_by_label("A tenu une mission toute l'année").check(force=True)
    page.get_by_role("button", name="Filtrer").click()
    assert "mission=on" in page.url
    recipients = page.locator("#award-form")
    expect(recipients).to_contain_text("Romain Référent")
    expect(recipients).to_contain_text("Théo Tenant")
    expect(recipients).not_to_contain_text("Sansmission")
    page.get_by_label("Tout sélectionner").check(force=True)
    expect(page.locator('input[name="recipients"]:checked')).to_have_count(2)
    page.get_by_label("Note (facultative)").fill("Merci pour cette année.")
    page.screenshot(path=screenshots_dir / "badges-award.png", full_page=True)
    page.get_by_role("button", name="Délivrer le badge aux référents cochés").click()
    expect(page.get_by_text("Badge délivré à 2 référent(s).")).to_be_visible()
    expect(page.locator("#awards tbody tr")).to_have_count(2)

    log_in(page, base_url, cast.referent_a)
    page.goto("/badges/mes-badges/")
    expect(page.locator("#my-badges")).to_contain_text(f"Référent numérique {cast.school_year.name}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le badge").click()
    download = download_info.value
    award = BadgeAward.objects.get(recipient=cast.referent_a)
    assert download.suggested_filename == f"badge-{award.uid}.png"
    assertion = json.loads(unbake_png(Path(download.path()).read_bytes()))
    assert assertion["id"] == f"{base_url}/openbadges/assertions/{award.uid}/"
    recipient = assertion["recipient"]
    assert recipient["hashed"] is True and recipient["salt"] == award.salt
    assert recipient["identity"] == hash_identity("referent.a@ac-dijon.fr", recipient["salt"])
    page.screenshot(path=screenshots_dir / "badges-mine.png", full_page=True)

    log_in(page, base_url, None)  # a verifier, signed out, reads the hosted assertion
    response = page.request.get(assertion["id"])
    assert response.status == 200 and response.json()["id"] == assertion["id"]
