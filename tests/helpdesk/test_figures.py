"""The year's requests in figures (principal, CSV) and the collectivité's count of requests passed on."""

import datetime

from django.utils import timezone

from helpdesk.selectors import help_figures
from tests.factories import HelpRequestFactory


def make_year(team):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    HelpRequestFactory(
        school=team.school_a,
        author=team.teacher_a_person,
        created_at=now - 10 * hour,
        first_answer_at=now - 8 * hour,
        passed_on_at=now - 7 * hour,
        ticket_number="CD21-1",
        state="closed",
        closed_at=now - 6 * hour,
        subject="Secret du contenu",
    )
    HelpRequestFactory(
        school=team.school_a,
        author=team.teacher_a2_person,
        kind="accompagnement",
        created_at=now - 4 * hour,
        first_answer_at=now - 4 * hour + datetime.timedelta(minutes=30),
    )
    HelpRequestFactory(school=team.school_b, author=team.teacher_b_person, passed_on_at=now, ticket_number="2")


def test_figures_count_by_kind_time_to_answer_and_close_and_share_passed_on(team):
    make_year(team)
    figures = help_figures(team.school_a, team.school_year)
    assert (figures.total, figures.open, figures.passed_on, figures.passed_on_share) == (2, 1, 1, 50)
    assert dict(figures.by_kind) == {"Incident": 1, "Accompagnement (comment faire…)": 1}
    assert figures.first_answer == datetime.timedelta(hours=1, minutes=15)
    assert figures.to_close == datetime.timedelta(hours=4)


def test_the_principal_reads_them_and_downloads_the_csv(client_for, team):
    make_year(team)
    client = client_for(team.principal_a)
    html = client.get(f"/etablissements/{team.school_a.uai}/demandes/chiffres/").content.decode()
    assert "Part transmise à la collectivité" in html and "50 %" in html
    response = client.get(f"/etablissements/{team.school_a.uai}/demandes/chiffres/?format=csv")
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "Délai moyen de clôture;4 h" in text


def test_the_collectivity_sees_counts_of_its_schools_never_content(client_for, team):
    make_year(team)
    html = client_for(team.collectivity_a).get("/collectivite/demandes-transmises/").content.decode()
    assert team.school_a.name in html and team.school_b.name in html
    assert "Secret du contenu" not in html
    other = client_for(team.collectivity_other).get("/collectivite/demandes-transmises/").content.decode()
    assert team.school_a.name not in other
    assert client_for(team.teacher_a).get("/collectivite/demandes-transmises/").status_code == 403


def test_the_collectivity_page_links_to_the_counts(client_for, team):
    html = client_for(team.collectivity_a).get("/collectivite/CD21/").content.decode()
    assert 'href="/collectivite/demandes-transmises/"' in html
