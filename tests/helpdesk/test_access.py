"""What each member of the cast sees of the team's pages (the access matrix grows them later)."""

import pytest

from schools.access import ROLE_PERMS, Perm, school_perms
from tests.factories import HelpRequestFactory, TeamSessionFactory


def test_a_teacher_never_holds_imp_staff_or_plan_perms():
    teacher = ROLE_PERMS["enseignant"]
    assert {Perm.VIEW_IMP, Perm.MANAGE_STAFF, Perm.VIEW_PLAN, Perm.EDIT_PLAN, Perm.VIEW_SCHOOL} & teacher == set()
    assert {Perm.VIEW_TEAM_PAGE, Perm.FILE_HELP_REQUEST, Perm.ATTEND_SESSIONS} <= teacher


def test_referents_and_principal_handle_requests_only_referents_run_sessions(team):
    referent = school_perms(team.referent_a, team.school_a)
    principal = school_perms(team.principal_a, team.school_a)
    assert Perm.HANDLE_HELP_REQUESTS in referent and Perm.HANDLE_HELP_REQUESTS in principal
    assert Perm.RUN_SESSIONS in referent and Perm.RUN_SESSIONS not in principal
    assert Perm.FILE_HELP_REQUEST not in principal and Perm.VIEW_HELP_FIGURES in principal


def urls(school, request_pk, session_pk):
    base = f"/etablissements/{school.uai}"
    return {
        "team": f"{base}/numerique/",
        "requests": f"{base}/demandes/",
        "file": f"{base}/demandes/nouvelle/",
        "request": f"{base}/demandes/{request_pk}/",
        "figures": f"{base}/demandes/chiffres/",
        "invite": f"{base}/personnels/inviter/",
        "sessions": f"{base}/sessions/",
        "session": f"{base}/sessions/{session_pk}/",
    }


EXPECTED = {
    # who: team, requests, file, request (teacher_a's), figures, invite, sessions, session
    "teacher_a": (200, 200, 200, 200, 403, 403, 200, 200),
    "teacher_a2": (200, 200, 200, 404, 403, 403, 200, 200),
    "teacher_b": (404,) * 8,
    "referent_a": (200, 200, 403, 200, 403, 403, 200, 200),
    "principal_a": (200, 200, 403, 200, 200, 200, 200, 200),
    "principal_b": (404,) * 8,
    "dane": (403,) * 8,
    "collectivity_a": (403,) * 8,
    "dane_other": (404,) * 8,
}


@pytest.mark.parametrize("who", EXPECTED)
def test_each_member_of_the_cast_sees_the_team_pages_they_may(client_for, team, who):
    request = HelpRequestFactory(school=team.school_a, author=team.teacher_a_person)
    session = TeamSessionFactory(school=team.school_a, referent=team.referent_person)
    client = client_for(getattr(team, who))
    got = tuple(client.get(url).status_code for url in urls(team.school_a, request.pk, session.pk).values())
    assert got == EXPECTED[who]


def test_anonymous_is_sent_to_login(client_for, team):
    response = client_for(None).get(f"/etablissements/{team.school_a.uai}/numerique/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_a_teacher_lands_on_the_team_page_and_never_on_the_school_page(client_for, team):
    client = client_for(team.teacher_a)
    assert client.get("/", follow=True).redirect_chain[-1][0] == f"/etablissements/{team.school_a.uai}/numerique/"
    for page in ("moyens", "equipements", "repartition", "imp"):
        assert client.get(f"/etablissements/{team.school_a.uai}/{team.school_year.name}/{page}/").status_code == 403
    assert client.get(f"/etablissements/{team.school_a.uai}/personnels/").status_code == 403


def test_a_teacher_sees_only_their_own_requests_in_the_book(client_for, team):
    mine = HelpRequestFactory(school=team.school_a, author=team.teacher_a_person, subject="Mon souci de tableau")
    HelpRequestFactory(school=team.school_a, author=team.teacher_a2_person, subject="Le souci de Paul")
    html = client_for(team.teacher_a).get(f"/etablissements/{team.school_a.uai}/demandes/").content.decode()
    assert mine.subject in html and "Le souci de Paul" not in html
    html = client_for(team.referent_a).get(f"/etablissements/{team.school_a.uai}/demandes/").content.decode()
    assert mine.subject in html and "Le souci de Paul" in html


def test_the_teacher_menu_has_their_entries(client_for, team):
    html = client_for(team.teacher_a).get(f"/etablissements/{team.school_a.uai}/numerique/").content.decode()
    assert f'href="/etablissements/{team.school_a.uai}/demandes/"' in html
    assert "Mes demandes" in html
    html = client_for(team.referent_a).get(f"/etablissements/{team.school_a.uai}/numerique/").content.decode()
    assert "Mes demandes" not in html


@pytest.mark.parametrize(
    "url,status",
    [
        ("/plan-du-site/", 200),
        ("/evenements/", 200),
        ("/rappels/", 200),
        ("/mes-imp/", 200),
        ("/mon-parcours/", 200),
        ("/mes-donnees/", 200),
        ("/activite/", 403),
        ("/dane/", 403),
        ("/collectivite/", 403),
    ],
)
def test_the_pages_every_signed_in_user_reaches_answer_a_teacher_without_error(client_for, team, url, status):
    assert client_for(team.teacher_a).get(url).status_code == status
