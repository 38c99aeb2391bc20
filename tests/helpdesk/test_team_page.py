"""'Le numérique dans mon établissement': the submitted plan in plain words, tools, sheets, sessions; empty states."""

from missions.models import Mission, PlanRow
from tests.factories import AuthorizedActionFactory, ProcedureSheetFactory, TeamSessionFactory
from tests.helpdesk.conftest import submit


def page(client, school):
    return client.get(f"/etablissements/{school.uai}/numerique/").content.decode()


def test_who_does_what_comes_from_the_submitted_plan_in_plain_words(client_for, submitted):
    html = page(client_for(submitted.teacher_a), submitted.school_a)
    assert "Pour signaler une panne ou un dysfonctionnement : Romain Référent" in html
    assert "Pour un souci d&#x27;ENT (comptes, droits, espaces) : Romain Référent" in html
    assert "Pour le site web de l&#x27;établissement : Wanda Web" in html


def test_a_draft_plan_is_never_shown_and_the_empty_state_says_what_happens(client_for, team):
    html = page(client_for(team.teacher_a), team.school_a)
    assert 'id="team-empty"' in html
    assert "Wanda Web" not in html
    assert "déposer une demande" in html


def test_the_validated_procedure_sheets_and_the_sessions_to_come_are_listed(client_for, submitted):
    action = AuthorizedActionFactory(collectivity=submitted.cd21, school_year=submitted.school_year)
    ProcedureSheetFactory(action=action, title="Réinitialiser un mot de passe élève", is_validated=True)
    ProcedureSheetFactory(action=action, title="Fiche en attente")
    TeamSessionFactory(school=submitted.school_a, referent=submitted.referent_person, topic="Découvrir Pearltrees")
    TeamSessionFactory(school=submitted.school_b, topic="Session d'un autre collège")
    html = page(client_for(submitted.teacher_a), submitted.school_a)
    assert "Réinitialiser un mot de passe élève" in html and "Fiche en attente" not in html
    assert "Découvrir Pearltrees" in html and "Session d&#x27;un autre collège" not in html


def test_a_service_row_reads_pour_its_service(client_for, team):
    row = PlanRow.objects.create(
        plan=team.plan, mission=Mission.objects.get(code="tools.services"), service_name="Pearltrees"
    )
    row.holders.add(team.web_person)
    submit(team.plan)
    assert "Pour Pearltrees : Wanda Web" in page(client_for(team.teacher_a), team.school_a)
