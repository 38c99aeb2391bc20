"""Staff manage the reference data in the Django admin."""

import pytest

from missions.models import Mission
from tests.factories import UserFactory

ADMIN_PAGES = [
    "/admin/",
    "/admin/schools/academie/",
    "/admin/schools/departement/",
    "/admin/schools/collectivity/",
    "/admin/schools/school/",
    "/admin/schools/school/add/",
    "/admin/schools/schoolyear/",
    "/admin/schools/person/",
    "/admin/schools/user/",
    "/admin/schools/user/add/",
    "/admin/schools/authorizedaction/",
    "/admin/missions/mission/",
    "/admin/missions/allocationplan/",
    "/admin/activity/activityentry/",
    "/admin/activity/review/",
    "/admin/events/event/",
    "/admin/events/event/add/",
    "/admin/notifications/remindersettings/",
    "/admin/notifications/remindersettings/add/",
    "/admin/notifications/sentemail/",
]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_staff_open_every_admin_page(client, cast, url):
    client.force_login(UserFactory(email="staff@ac-dijon.fr", is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 200


def test_staff_edit_a_school_and_a_user_with_roles(client, cast):
    client.force_login(UserFactory(email="staff@ac-dijon.fr", is_staff=True, is_superuser=True))
    assert client.get(f"/admin/schools/school/{cast.school_a.pk}/change/").status_code == 200
    assert client.get(f"/admin/schools/user/{cast.principal_a.pk}/change/").status_code == 200
    assert (
        client.get(f"/admin/missions/mission/{Mission.objects.order_by('position').first().pk}/change/").status_code
        == 200
    )


def test_principal_cannot_open_the_admin(client_for, cast):
    response = client_for(cast.principal_a).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_read_a_plans_history_in_the_admin(client, cast):
    from missions.services import plan_get_or_create

    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    client.force_login(UserFactory(email="staff@ac-dijon.fr", is_staff=True, is_superuser=True))
    html = client.get(f"/admin/missions/allocationplan/{plan.pk}/history/").content.decode()
    assert plan.history.count() >= 1
    assert f"/admin/missions/allocationplan/{plan.pk}/history/{plan.history.first().history_id}/" in html
