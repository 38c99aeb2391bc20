"""An IMP from proposal to payment schedule in a real Chromium: principal, referent, rectorat."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from imp.models import ImpAward
from tests.conftest import PASSWORD
from tests.factories import EnvelopeFactory, PersonFactory


@pytest.fixture
def school(transactional_db, cast):
    EnvelopeFactory(school=cast.school_a, school_year=cast.school_year, amount=Decimal("3750.00"))
    PersonFactory(school=cast.school_a, last_name="Dupont", first_name="Alice")
    return cast.school_a


def log_in(page: Page, user) -> None:
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()


def test_principal_proposes_referent_accepts_rectorat_validates_and_nine_payments_follow(
    page: Page, cast, school, screenshots_dir
):
    year = cast.school_year.name
    today = timezone.localdate()

    # The principal proposes an IMP to the referent and records the CP's and the CA's opinions.
    log_in(page, cast.principal_a)
    expect(page.get_by_role("heading", level=1)).to_have_text(school.name)
    page.get_by_role("link", name=f"IMP {year}").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"IMP des référents {year}")
    expect(page.locator("#envelope-left")).to_have_text(re.compile(r"3\s750,00\s€"))

    page.get_by_label("Bénéficiaire").select_option(value=str(cast.referent_person.pk))
    page.get_by_role("radio", name=re.compile(r"^1\s250,00\s€$")).check(force=True)
    page.get_by_role("button", name="Proposer à la personne").click()
    expect(page.get_by_text("L'IMP de Romain Référent est proposée : elle attend son accord.")).to_be_visible()
    expect(page.locator("#envelope-committed")).to_have_text(re.compile(r"1\s250,00\s€"))
    expect(page.locator("#envelope-left")).to_have_text(re.compile(r"2\s500,00\s€"))
    expect(page.locator("#policy-messages")).to_be_empty()

    for body, day in (("cp", today - datetime.timedelta(days=6)), ("ca", today - datetime.timedelta(days=1))):
        form = page.locator(f"#opinion-{body}-form")
        form.get_by_label("Date de la séance").fill(day.isoformat())
        form.get_by_role("radio", name="Avis favorable").check(force=True)
        form.get_by_role("button", name="Enregistrer l'avis").click()
        expect(page.locator(f"#opinion-{body}")).to_contain_text("Avis favorable")
    page.screenshot(path=screenshots_dir / "imp-school.png", full_page=True)
    log_out(page)

    # The referent agrees.
    log_in(page, cast.referent_a)
    page.locator("#fr-navigation").get_by_role("link", name="Mes IMP").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes IMP")
    expect(page.get_by_text("Proposée à l'intéressé(e)")).to_be_visible()
    page.get_by_role("button", name="J'accepte cette IMP").click()
    expect(page.get_by_text("Vous avez accepté l'IMP")).to_be_visible()
    expect(page.get_by_text("Acceptée par l'intéressé(e)")).to_be_visible()
    log_out(page)

    # The rectorat validates it from its queue.
    log_in(page, cast.rectorat)
    page.locator("#fr-navigation").get_by_role("link", name="IMP et enveloppes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("IMP à valider")
    row = page.locator("#queue tbody tr", has_text="Romain Référent")
    expect(row).to_contain_text("CP ✓ / CA ✓")
    page.screenshot(path=screenshots_dir / "imp-queue.png", full_page=True)
    row.get_by_role("button", name=re.compile("^Valider")).click()
    expect(page.get_by_text("1 IMP validée.")).to_be_visible()
    assert ImpAward.objects.get().state == ImpAward.State.VALIDATED

    # The schedule: nine payments, November to July.
    page.goto(f"/etablissements/{school.uai}/{year}/imp/echeancier/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Échéancier des IMP {year}")
    payments = page.locator("tr.rupn-payment")
    expect(payments).to_have_count(9)
    expect(payments.first).to_contain_text(f"Novembre {cast.school_year.start_year}")
    expect(payments.last).to_contain_text(f"Juillet {cast.school_year.start_year + 1}")
    expect(payments.last).to_contain_text(re.compile(r"138,88\s€"))
    page.screenshot(path=screenshots_dir / "imp-schedule.png", full_page=True)
