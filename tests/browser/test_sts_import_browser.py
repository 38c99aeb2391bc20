"""A principal imports the STS-web export: preview (who is added, updated, unchanged, absent), then confirm."""

import re

import pytest
from playwright.sync_api import Page, expect

from schools.models import Person
from tests.browser.a11y import assert_accessible
from tests.browser.test_equipment_browser import login
from tests.factories import PersonFactory
from tests.schools.test_sts_import import SAMPLE_UAI, sample


@pytest.fixture
def school(transactional_db, cast):
    cast.school_a.uai = SAMPLE_UAI
    cast.school_a.save(update_fields=["uai"])
    return cast.school_a


def test_principal_previews_then_confirms_the_sts_import(page: Page, cast, school, tmp_path, screenshots_dir):
    gone = PersonFactory(school=school, last_name="Vidal", first_name="Inès")
    file = tmp_path / f"sts_emp_{SAMPLE_UAI}_2026.xml"
    file.write_bytes(sample())
    login(page, cast.principal_a.email)
    page.goto(f"/etablissements/{school.uai}/personnels/")

    page.locator("#id_export").set_input_files(file)
    page.get_by_role("button", name="Voir ce que l'import changerait").click()

    expect(page.get_by_role("heading", name="12 personnes ajoutées")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^0 personnes? mises? à jour$"))).to_be_visible()
    expect(page.get_by_role("heading", name="3 personnes en poste absentes du fichier")).to_be_visible()
    expect(page.get_by_role("cell", name="Personnel de direction")).to_be_visible()
    assert not Person.objects.filter(school=school, sts_id__startswith="epp:").exists()
    page.screenshot(path=screenshots_dir / "sts-import-preview.png", full_page=True)
    assert_accessible(page)

    page.locator(f"label[for=absent-{gone.pk}]").click()  # DSFR draws the box on the label
    expect(page.get_by_label("Inès Vidal (Enseignant) n'est plus en poste")).to_be_checked()
    page.get_by_role("button", name="Confirmer l'import").click()

    expect(
        page.get_by_text("Import STS-web terminé : 12 ajout(s), 0 mise(s) à jour, 0 inchangé(s), 1 personne(s)")
    ).to_be_visible()
    expect(page.get_by_role("row", name="BONNET Sylvie")).to_contain_text("Personnel de direction")
    gone.refresh_from_db()
    cast.referent_person.refresh_from_db()
    assert (gone.is_active, cast.referent_person.is_active) == (False, True)

    # The same file again: everyone unchanged, nothing to write.
    page.locator("#id_export").set_input_files(file)
    page.get_by_role("button", name="Voir ce que l'import changerait").click()
    expect(page.get_by_role("heading", name="12 personnes inchangées")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^0 personnes? ajoutées?$"))).to_be_visible()
