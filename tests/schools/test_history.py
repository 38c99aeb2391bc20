"""The audit of authorized actions and roles: publishing, withdrawing, adding and removing are recorded."""

import pytest

from schools.models import AuthorizedAction, Role
from tests.factories import AuthorizedActionFactory, UserFactory
from tests.utils import extract_form_fields, flat

pytestmark = pytest.mark.django_db


def test_publishing_an_authorized_action_records_the_collectivity_user(client_for, cast):
    client = client_for(cast.collectivity_a)
    url = f"/collectivite/CD21/{cast.school_year.name}/actions/"
    fields = flat(extract_form_fields(client.get(url).content, "action-form"))
    fields["action-action"] = "amon"
    assert client.post(url, fields).status_code == 302
    action = AuthorizedAction.objects.get()
    record = AuthorizedAction.history.get(id=action.pk)
    assert (record.history_type, record.action, record.history_user) == ("+", "amon", cast.collectivity_a)


def test_withdrawing_an_authorized_action_records_it(client_for, cast):
    action = AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year, school=cast.school_a)
    response = client_for(cast.collectivity_a).post(f"/collectivite/CD21/actions/{action.pk}/retirer/")
    assert response.status_code == 302
    record = AuthorizedAction.history.filter(id=action.pk).latest("history_id")
    assert (record.history_type, record.history_user, record.school_id) == ("-", cast.collectivity_a, cast.school_a.pk)


def test_adding_and_removing_a_role_in_the_admin_records_it(client, cast):
    admin = UserFactory(email="admin@ac-dijon.fr", is_staff=True, is_superuser=True)
    client.force_login(admin)
    newcomer = UserFactory(email="nouveau@ac-dijon.fr")
    url = f"/admin/schools/user/{newcomer.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    fields = flat(extract_form_fields(page.content, "user_form"))
    fields.update({"roles-0-kind": "principal", "roles-0-school": str(cast.school_b.pk)})
    assert client.post(url, fields).status_code == 302
    role = Role.objects.get(user=newcomer)
    added = Role.history.get(id=role.pk)
    assert (added.history_type, added.kind, added.school_id, added.history_user) == (
        "+",
        "principal",
        cast.school_b.pk,
        admin,
    )

    fields = flat(extract_form_fields(client.get(url).content, "user_form"))
    fields["roles-0-DELETE"] = "on"
    assert client.post(url, fields).status_code == 302
    assert not Role.objects.filter(user=newcomer).exists()
    removed = Role.history.filter(id=role.pk).latest("history_id")
    assert (removed.history_type, removed.history_user) == ("-", admin)
