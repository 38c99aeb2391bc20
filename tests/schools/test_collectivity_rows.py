"""Rows « selon collectivité » of the allocation table: closed until the collectivité authorizes the action."""

import html as htmllib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from missions.models import Mission, PlanRow
from missions.selectors import catalogue_changed
from missions.services import plan_get_or_create
from schools.models import AuthorizedAction
from tests.factories import AuthorizedActionFactory, PersonFactory, ProcedureSheetFactory
from tests.utils import extract_form_fields


def url(cast) -> str:
    return f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/repartition/"


@pytest.fixture(autouse=True)
def _started_table(cast, catalogue):
    """The principal has started the year's table: opening the page creates nothing."""
    plan_get_or_create(school=cast.school_a, school_year=cast.school_year)


def page(client, cast) -> str:
    return htmllib.unescape(client.get(url(cast)).content.decode())


def amon_row(cast) -> PlanRow:
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    return plan.rows.get(mission__code="tools.amon")


def holders_select(html: str, row: PlanRow) -> str:
    """The row's people picker: its fieldset's opening tag (what describes it) and its checkboxes."""
    fieldset = re.search(rf'<fieldset[^>]* id="row-{row.pk}-holders"[^>]*>', html)
    boxes = re.findall(rf'<input[^>]*name="row-{row.pk}-holders"[^>]*>', html)
    assert fieldset and boxes, f"no people picker for row {row.pk}"
    return fieldset.group(0) + "".join(boxes)


def test_without_authorization_the_row_is_closed_and_says_who_decides(client_for, cast):
    row = amon_row(cast)
    html = page(client_for(cast.principal_a), cast)
    assert "disabled" in holders_select(html, row)
    assert f"row-{row.pk}-authorization" in holders_select(html, row)  # the explanation is tied to the field
    assert (
        "Cette action dépend de la collectivité de rattachement, Conseil départemental de la Côte-d'Or, "
        f"qui ne l'a pas autorisée pour {cast.school_year.name}" in html
    )
    assert "le chef d'établissement (ou le référent chargé du lien avec la collectivité) s'adresse" in html


def test_holders_posted_for_a_closed_row_are_ignored(client_for, cast):
    row = amon_row(cast)
    client = client_for(cast.principal_a)
    data = extract_form_fields(client.get(url(cast)).content, "allocation-form")
    data[f"row-{row.pk}-holders"] = [str(cast.referent_person.pk)]
    data["save"] = [""]
    assert client.post(url(cast), data).status_code == 302
    assert not row.holders.exists()


def test_an_authorization_for_all_schools_opens_the_row(client_for, cast):
    AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year, action="amon")
    row = amon_row(cast)
    client = client_for(cast.principal_a)
    html = page(client, cast)
    assert "disabled" not in holders_select(html, row)
    assert f"row-{row.pk}-authorization" not in html
    data = extract_form_fields(client.get(url(cast)).content, "allocation-form")
    data[f"row-{row.pk}-holders"] = [str(cast.referent_person.pk)]
    data["save"] = [""]
    client.post(url(cast), data)
    assert list(row.holders.all()) == [cast.referent_person]


def test_an_authorization_for_another_school_or_year_or_collectivity_does_not_open_it(client_for, cast):
    from schools.models import SchoolYear

    next_year = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year + 1)[0]
    AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year, action="amon", school=cast.school_b)
    AuthorizedActionFactory(collectivity=cast.cd21, school_year=next_year, action="amon")
    AuthorizedActionFactory(collectivity=cast.cd25, school_year=cast.school_year, action="amon")
    assert "disabled" in holders_select(page(client_for(cast.principal_a), cast), amon_row(cast))
    AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year, action="amon", school=cast.school_a)
    assert "disabled" not in holders_select(page(client_for(cast.principal_a), cast), amon_row(cast))


def test_a_row_held_before_the_authorization_was_withdrawn_stays_editable_with_a_warning(client_for, cast):
    action = AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year, action="amon")
    row = amon_row(cast)
    row.holders.set([cast.referent_person])
    action.delete()
    html = page(client_for(cast.principal_a), cast)
    assert "disabled" not in holders_select(html, row)
    assert "La collectivité n'autorise pas cette action pour cette année" in html


def test_validated_sheets_show_to_the_principal_and_to_the_referents_holding_the_row(client_for, cast):
    action = AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year, action="amon")
    validated = ProcedureSheetFactory(action=action, title="Se connecter à AMON", is_validated=True)
    ProcedureSheetFactory(action=action, title="Brouillon de fiche")
    other = ProcedureSheetFactory(
        action=AuthorizedActionFactory(
            collectivity=cast.cd21,
            school_year=cast.school_year,
            action=AuthorizedAction.OTHER,
            other_label="Imprimantes",
        ),
        title="Imprimantes réseau",
        is_validated=True,
    )
    row = amon_row(cast)
    link = f"/etablissements/{cast.school_a.uai}/fiches/{validated.pk}/"

    html = page(client_for(cast.principal_a), cast)
    assert link in html and "Brouillon de fiche" not in html and other.title not in html

    referent = client_for(cast.referent_a)
    assert link not in page(referent, cast)  # does not hold the row
    row.holders.set([cast.referent_person])
    assert link in page(referent, cast)
    assert link not in page(client_for(cast.dane), cast)
    response = client_for(cast.referent_a).get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("staff_size", [20, 200])
def test_allocation_page_with_authorized_rows_and_sheets_keeps_a_fixed_query_count(client_for, cast, staff_size):
    people = PersonFactory.create_batch(staff_size, school=cast.school_a)
    for code in ("amon", "accounts"):
        action = AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year, action=code)
        ProcedureSheetFactory.create_batch(3, action=action, is_validated=True)
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    for row in plan.rows.all():
        row.holders.set(people[:3])
    client = client_for(cast.principal_a)
    client.get(url(cast))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(cast)).status_code == 200
    assert len(queries) == 13, [q["sql"] for q in queries]  # the allocation page's 12 (catalogue kept), plus the sheets


def test_the_tablets_row_is_selon_collectivite_too(client_for, cast):
    # The catalogue as missions/migrations/0005 leaves it (tests/conftest.py's catalogue fixture reloads it so after
    # a transactional test's flush); said here too, since this test is about that migration's row.
    Mission.objects.filter(code="tools.tablets").update(requires_action="tablets")
    catalogue_changed()
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    row = plan.rows.get(mission__code="tools.tablets")
    client = client_for(cast.principal_a)
    html = page(client, cast)
    assert "disabled" in holders_select(html, row)
    assert f"row-{row.pk}-authorization" in holders_select(html, row)
    AuthorizedActionFactory(collectivity=cast.cd21, school_year=cast.school_year, action="tablets")
    assert "disabled" not in holders_select(page(client, cast), row)
