"""A referent logs an activity and registers for an event; the principal sees the activity in the school log."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.factories import EventFactory


@pytest.fixture
def event(transactional_db, cast):
    return EventFactory(academie=cast.dijon, title="Rencontre annuelle des référents numériques", capacity=2)


def log_in(page: Page, email: str) -> None:
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_referent_logs_activity_registers_and_principal_sees_it(page: Page, cast, event, screenshots_dir):
    log_in(page, cast.referent_a.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(cast.school_a.name)
    page.get_by_role("link", name="Noter mon activité").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon activité de référent numérique")

    expect(page.get_by_label("Date")).to_have_value(timezone.localdate().isoformat())
    page.get_by_label("Durée").fill("1 h 30")
    page.locator("#activity-form").get_by_label("Mission").select_option(label="Accompagner l'équipe pédagogique")
    page.get_by_label("Nature de l'activité").select_option(label="Accompagnement de collègues")
    page.get_by_label("Ce qui a été fait").fill("Prise en main de l'ENT avec deux collègues de SVT")
    page.get_by_role("button", name="Enregistrer l'activité").click()
    expect(page.get_by_text("Activité enregistrée : 1 h 30")).to_be_visible()
    expect(page.locator("#activity-entries")).to_contain_text("Prise en main de l'ENT avec deux collègues de SVT")
    expect(page.locator("#activity-total")).to_have_text("1 h 30 en 1 activité")
    page.screenshot(path=screenshots_dir / "activity-log.png", full_page=True)

    page.get_by_role("link", name="Voir les événements et s'inscrire").click()
    page.get_by_role("link", name="Rencontre annuelle des référents numériques").click()
    page.get_by_role("button", name="M'inscrire").click()
    expect(page.locator("#registration-status")).to_contain_text("Vous êtes inscrit(e) à cet événement.")
    expect(page.locator("#event-seats")).to_have_text("1 inscrit sur 2 places")
    page.get_by_role("button", name="Se déconnecter").click()

    log_in(page, cast.principal_a.email)
    page.get_by_role("link", name="Activité des référents").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Activité des référents")
    entries = page.locator("#activity-entries")
    expect(entries).to_contain_text("Romain Référent")
    expect(entries).to_contain_text("Prise en main de l'ENT avec deux collègues de SVT")
    expect(entries).to_contain_text("1 h 30")
    page.screenshot(path=screenshots_dir / "school-activity-log.png", full_page=True)
