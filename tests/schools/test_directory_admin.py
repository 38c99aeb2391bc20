"""The admin pages of the directory and collectivité models; a collectivité changed by hand is kept by imports."""

import pytest

from tests.factories import (
    AuthorizedActionFactory,
    EquipmentRequestFactory,
    ProcedureSheetFactory,
    SchoolMeansFactory,
    UserFactory,
)
from tests.utils import extract_form_fields, flat


@pytest.fixture
def staff_client(client, cast):
    client.force_login(UserFactory(email="staff@ac-dijon.fr", is_staff=True, is_superuser=True))
    return client


def test_staff_open_the_new_admin_pages(staff_client, cast):
    action = AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year)
    sheet = ProcedureSheetFactory(action=action)
    means = SchoolMeansFactory(school=cast.school_a, school_year=cast.school_year)
    request = EquipmentRequestFactory(school=cast.school_a, school_year=cast.school_year)
    for url in (
        "/admin/schools/proceduresheet/",
        f"/admin/schools/proceduresheet/{sheet.pk}/change/",
        "/admin/schools/schoolmeans/",
        f"/admin/schools/schoolmeans/{means.pk}/change/",
        "/admin/schools/equipmentrequest/",
        f"/admin/schools/equipmentrequest/{request.pk}/change/",
        f"/admin/schools/authorizedaction/{action.pk}/change/",
    ):
        assert staff_client.get(url).status_code == 200, url
    page = staff_client.get(f"/admin/schools/proceduresheet/{sheet.pk}/change/").content.decode()
    assert sheet.file.name not in page  # the file is never linked as a media URL


def test_changing_a_school_collectivity_in_the_admin_marks_it_kept_by_imports(staff_client, cast):
    url = f"/admin/schools/school/{cast.school_a.pk}/change/"
    data = flat(extract_form_fields(staff_client.get(url).content, "school_form"))
    data["collectivity"] = str(cast.cd25.pk)
    assert staff_client.post(url, data).status_code == 302
    cast.school_a.refresh_from_db()
    assert cast.school_a.collectivity == cast.cd25 and cast.school_a.collectivity_override
