"""Staff read the IMP records and edit the rates and the académie settings in the admin."""

import pytest

from tests.factories import EnvelopeFactory, ImpAwardFactory, UserFactory

PAGES = [
    "/admin/imp/imprate/",
    "/admin/imp/imprate/add/",
    "/admin/imp/academiepolicy/",
    "/admin/imp/academiepolicy/add/",
    "/admin/imp/envelope/",
    "/admin/imp/impaward/",
    "/admin/imp/boardopinion/",
    "/admin/imp/servicereduction/",
]


@pytest.fixture
def staff_client(client, cast):
    client.force_login(UserFactory(email="staff@ac-dijon.fr", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("url", PAGES)
def test_staff_open_every_imp_admin_page(staff_client, url):
    assert staff_client.get(url).status_code == 200


def test_awards_and_envelopes_are_read_only_in_the_admin(staff_client, cast):
    award = ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, person=cast.referent_person)
    envelope = EnvelopeFactory(school=cast.school_a, school_year=cast.school_year)
    assert staff_client.get(f"/admin/imp/impaward/{award.pk}/change/").status_code == 200
    assert staff_client.get(f"/admin/imp/envelope/{envelope.pk}/change/").status_code == 200
    assert staff_client.get("/admin/imp/impaward/add/").status_code == 403
    assert staff_client.get("/admin/imp/envelope/add/").status_code == 403
