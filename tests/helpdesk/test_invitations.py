"""The principal invites the staff: an account, the teacher role, an e-mail with a set-password link, sent once."""

import re

from django.core import mail

from helpdesk.services import teachers_invite
from schools.models import Person, Role, User
from schools.services import person_update
from tests.factories import PersonFactory
from tests.utils import extract_form_fields, flat


def invite_page(school):
    return f"/etablissements/{school.uai}/personnels/inviter/"


def test_principal_invites_the_ticked_people_who_get_an_account_a_role_and_one_email(
    client_for, team, django_capture_on_commit_callbacks
):
    alice = PersonFactory(
        school=team.school_a, first_name="Alice", last_name="Durand", email="alice.durand@ac-dijon.fr"
    )
    PersonFactory(school=team.school_a, first_name="Bruno", last_name="Petit", email="bruno.petit@ac-dijon.fr")
    client = client_for(team.principal_a)
    fields = flat(extract_form_fields(client.get(invite_page(team.school_a)).content, "invite-form"))
    fields["persons"] = [str(alice.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(invite_page(team.school_a), fields)
    assert response.status_code == 302
    user = User.objects.get(email="alice.durand@ac-dijon.fr")
    assert not user.has_usable_password()
    assert Role.objects.filter(user=user, kind="enseignant", school=team.school_a).exists()
    assert not User.objects.filter(email="bruno.petit@ac-dijon.fr").exists()
    [message] = [m for m in mail.outbox if m.to == ["alice.durand@ac-dijon.fr"]]
    assert "Choisissez votre mot de passe" in message.body
    # Invited again (everyone): she is not written to twice, Bruno is invited.
    with django_capture_on_commit_callbacks(execute=True):
        teachers_invite(school=team.school_a, persons=[alice], by=team.principal_a)
        client.post(invite_page(team.school_a), {"all": "1"})
    assert len([m for m in mail.outbox if m.to == ["alice.durand@ac-dijon.fr"]]) == 1
    assert [m.to for m in mail.outbox if m.to == ["bruno.petit@ac-dijon.fr"]] == [["bruno.petit@ac-dijon.fr"]]


def test_the_invited_teacher_sets_a_password_from_the_link_and_signs_in(
    client, team, django_capture_on_commit_callbacks
):
    person = PersonFactory(school=team.school_a, first_name="Alice", last_name="Durand", email="alice@ac-dijon.fr")
    with django_capture_on_commit_callbacks(execute=True):
        teachers_invite(school=team.school_a, persons=[person], by=team.principal_a)
    link = re.search(r"http://\S+/mot-de-passe/nouveau/\S+/", mail.outbox[-1].body).group(0)
    path = "/" + link.split("/", 3)[3]
    form_page = client.get(path, follow=True)
    password = "un-mot-de-passe-tres-long-2026"
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert response.status_code == 302
    client.logout()
    signed_in = client.post("/connexion/", {"username": "alice@ac-dijon.fr", "password": password})
    assert signed_in.status_code == 302
    assert client.get(f"/etablissements/{team.school_a.uai}/numerique/").status_code == 200


def test_nobody_without_an_address_or_out_of_post_or_already_in_the_school_is_invited(
    team, django_capture_on_commit_callbacks
):
    no_email = PersonFactory(school=team.school_a, email="")
    gone = PersonFactory(school=team.school_a, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        count = teachers_invite(
            school=team.school_a, persons=[no_email, gone, team.referent_person], by=team.principal_a
        )
    assert count == 0
    assert not Role.objects.filter(user=team.referent_a, kind="enseignant").exists()
    assert mail.outbox == []


def test_a_teacher_no_longer_in_post_loses_access(client_for, team):
    person = team.teacher_a_person
    person_update(
        person=person,
        expected_version=person.version,
        last_name=person.last_name,
        first_name=person.first_name,
        email=person.email,
        status=person.status,
        full_service_cpge=False,
        leaving=False,
        is_active=False,
        by=team.principal_a,
    )
    assert not Role.objects.filter(user=team.teacher_a, school=team.school_a).exists()
    assert client_for(team.teacher_a).get(f"/etablissements/{team.school_a.uai}/numerique/").status_code == 404
    assert Person.objects.get(pk=person.pk).user_id == team.teacher_a.pk  # the record stays linked


def test_the_invite_page_says_when_there_is_nobody_to_invite(client_for, team):
    Person.objects.filter(school=team.school_a).update(email="")
    html = client_for(team.principal_a).get(invite_page(team.school_a)).content.decode()
    assert 'id="invite-empty"' in html


def test_posting_nobody_ticked_says_so_beside_the_field(client_for, team):
    PersonFactory(school=team.school_a)
    response = client_for(team.principal_a).post(invite_page(team.school_a), {})
    assert response.status_code == 400
    assert "Cochez au moins une personne" in response.content.decode()
