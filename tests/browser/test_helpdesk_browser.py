"""The team served, in Chromium: a teacher invited by the principal sets a password and files a request with a
screenshot; the referent takes it and passes it to the collectivité; the teacher sees each state; the referent
closes it; the figures count it. Then a session of three places and four teachers: the fourth is told it is full."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from schools.models import Role
from tests.conftest import PASSWORD
from tests.factories import PersonFactory, RoleFactory, UserFactory, tiny_png

TEACHER_PASSWORD = "un-mot-de-passe-choisi-2026"


def login(page: Page, email: str, password: str = PASSWORD) -> None:
    page.context.clear_cookies()
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def state_of(page: Page, url: str, expected: str) -> None:
    page.goto(url)
    expect(page.locator("#request-state")).to_have_text(expected)


def test_invited_teacher_files_a_request_the_referent_passes_it_on_and_closes_it(
    page: Page, transactional_db, cast, tmp_path, screenshots_dir
):
    PersonFactory(school=cast.school_a, first_name="Alice", last_name="Durand", email="alice.durand@ac-dijon.fr")
    school = cast.school_a.uai

    login(page, cast.principal_a.email)
    page.goto(f"/etablissements/{school}/personnels/")
    page.get_by_role("link", name=re.compile("Inviter l'équipe pédagogique")).click()
    page.get_by_label(re.compile("Alice Durand")).check(force=True)
    page.get_by_role("button", name="Inviter les personnes cochées").click()
    expect(page.get_by_text("1 invitation(s) envoyée(s).")).to_be_visible()

    [invitation] = [m for m in mail.outbox if m.to == ["alice.durand@ac-dijon.fr"]]
    link = re.search(r"https?://\S+(/mot-de-passe/nouveau/\S+/)", invitation.body).group(1)
    page.context.clear_cookies()
    page.goto(link)
    page.locator("input[name=new_password1]").fill(TEACHER_PASSWORD)
    page.locator("input[name=new_password2]").fill(TEACHER_PASSWORD)
    page.get_by_role("button", name=re.compile("mot de passe", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Mot de passe changé"))

    login(page, "alice.durand@ac-dijon.fr", TEACHER_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Le numérique dans mon établissement")
    page.get_by_role("link", name="Demander l'aide d'un référent").click()
    page.get_by_label(re.compile("Quel est le problème")).fill("Le vidéoprojecteur de la B12 ne s'allume plus")
    page.get_by_label(re.compile("Où \\?")).fill("Salle B12")
    shot = tmp_path / "capture.png"
    shot.write_bytes(tiny_png(8, 8))
    page.get_by_label(re.compile("Photo ou capture")).set_input_files(shot)
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Votre demande est déposée")).to_be_visible()
    expect(page.locator("#request-state")).to_have_text("Nouvelle")
    request_url = page.url
    expect(page.get_by_role("link", name="Voir la capture jointe")).to_be_visible()

    login(page, cast.referent_a.email)
    page.goto(request_url)
    page.get_by_role("button", name="Je la prends en charge").click()
    expect(page.locator("#request-state")).to_have_text("Prise en charge")
    login(page, "alice.durand@ac-dijon.fr", TEACHER_PASSWORD)
    state_of(page, request_url, "Prise en charge")

    login(page, cast.referent_a.email)
    page.goto(request_url)
    page.get_by_label("Numéro du ticket").fill("CD21-4521")
    page.get_by_label("Lien vers le ticket (facultatif)").fill("https://assistance.cotedor.example/tickets/4521")
    page.get_by_role("button", name="Transmettre").click()
    expect(page.locator("#request-state")).to_have_text("Transmise à la collectivité")
    login(page, "alice.durand@ac-dijon.fr", TEACHER_PASSWORD)
    state_of(page, request_url, "Transmise à la collectivité")
    expect(page.locator("#ticket")).to_contain_text("CD21-4521")

    login(page, cast.referent_a.email)
    page.goto(request_url)
    page.get_by_role("button", name="Clôturer la demande").click()
    expect(page.locator("#request-state")).to_have_text("Clôturée")
    login(page, "alice.durand@ac-dijon.fr", TEACHER_PASSWORD)
    state_of(page, request_url, "Clôturée")
    expect(page.locator("#history li")).to_have_count(4)
    page.screenshot(path=screenshots_dir / "helpdesk-request-closed.png", full_page=True)
    states = [m.subject for m in mail.outbox if m.to == ["alice.durand@ac-dijon.fr"]]
    assert len(states) == 4  # the invitation, then taken, passed on, closed

    login(page, cast.principal_a.email)
    page.goto(f"/etablissements/{school}/demandes/chiffres/")
    expect(page.locator("#figures")).to_contain_text("Transmises à la collectivité")
    expect(page.locator("#figures tr", has_text="Part transmise")).to_contain_text("100 %")


@pytest.fixture
def four_teachers(transactional_db, cast):
    teachers = []
    for n, name in enumerate(["Anna", "Bruno", "Chloé", "David"]):
        user = UserFactory(email=f"prof{n}@ac-dijon.fr", first_name=name, last_name="Prof")
        RoleFactory(user=user, kind=Role.Kind.TEACHER, school=cast.school_a)
        PersonFactory(school=cast.school_a, user=user, first_name=name, last_name="Prof", email=user.email)
        teachers.append(user)
    return teachers


def test_a_session_of_three_places_and_four_teachers_the_fourth_is_told_it_is_full(
    page: Page, cast, four_teachers, screenshots_dir
):
    school = cast.school_a.uai
    login(page, cast.referent_a.email)
    page.goto(f"/etablissements/{school}/sessions/")
    page.locator("#id_topic").fill("Prendre en main l'ENT")
    page.locator("#id_day").fill("2099-03-12")
    page.locator("#id_time").fill("12:30")
    page.locator("#id_room").fill("CDI")
    page.locator("#id_places").fill("3")
    page.get_by_role("button", name="Proposer la session").click()
    expect(page.get_by_text("La session est proposée à l'équipe.")).to_be_visible()
    session_url = page.url

    for teacher in four_teachers[:3]:
        login(page, teacher.email)
        page.goto(session_url)
        page.get_by_role("button", name="M'inscrire").click()
        expect(page.get_by_text("Vous êtes inscrit(e) à la session.")).to_be_visible()
    login(page, four_teachers[3].email)
    page.goto(session_url)
    expect(page.locator("#places")).to_contain_text("3 inscrit(s) sur 3 places")
    page.get_by_role("button", name="M'inscrire").click()
    expect(page.locator("#session-error")).to_contain_text("Cette session est complète")
    page.screenshot(path=screenshots_dir / "helpdesk-session-full.png", full_page=True)
