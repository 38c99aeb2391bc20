"""The rentrée: next year's draft copied from the last plan, without the people who leave, their rows flagged."""

import html as htmllib

import pytest
from django.urls import reverse

from missions.models import AllocationPlan, PlanRow
from missions.services import RowInput, plan_get_or_create, plan_rollover, plan_save
from missions.tasks import rentree_rollover
from rupn.lib.errors import DomainError
from schools.models import SchoolYear
from tests.factories import PersonFactory
from tests.utils import extract_form_fields, flat

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


@pytest.fixture
def last_year(cast):
    return SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year - 1)[0]


@pytest.fixture
def people(cast):
    return {
        "alice": PersonFactory(school=cast.school_a, first_name="Alice", last_name="Dupont"),
        "bruno": PersonFactory(school=cast.school_a, first_name="Bruno", last_name="Durand", leaving=True),
        "chloe": PersonFactory(school=cast.school_a, first_name="Chloé", last_name="Petit", is_active=False),
    }


@pytest.fixture
def old_plan(cast, last_year, people):
    """Last year's plan: Bruno (leaving) alone on the website, shared with Alice on support; Chloé (gone) on ENT."""
    plan = plan_get_or_create(school=cast.school_a, school_year=last_year)
    alice, bruno, chloe = (people[k].pk for k in ("alice", "bruno", "chloe"))
    holders = {"support_teams": {alice, bruno}, "tools.website": {bruno}, "tools.ent_admin": {chloe}}
    rows = [
        RowInput(
            mission_code=row.mission.code,
            row_id=row.pk,
            organisation="Organisation " + row.mission.code,
            sharing="weekday" if row.mission.code == "support_teams" else "",
            sharing_detail="Lundi / jeudi" if row.mission.code == "support_teams" else "",
            holder_ids=holders.get(row.mission.code, set()),
        )
        for row in PlanRow.objects.filter(plan=plan).select_related("mission").order_by("pk")
    ]
    rows.append(RowInput(mission_code="tools.services", service_name="BRNE", holder_ids={alice}))
    return plan_save(plan=plan, expected_version=1, has_tablets=True, rows=rows, by=cast.principal_a)


def holders(plan, code, service_name=""):
    row = PlanRow.objects.get(plan=plan, mission__code=code, service_name=service_name)
    return sorted(p.first_name for p in row.holders.all()), row


def test_rollover_copies_the_plan_without_people_leaving_and_flags_their_rows(cast, old_plan):
    plan = plan_rollover(school=cast.school_a, school_year=cast.school_year, by=cast.principal_a)

    assert (plan.state, plan.has_tablets, plan.copied_from) == (AllocationPlan.State.DRAFT, True, old_plan)
    names, support = holders(plan, "support_teams")
    assert names == ["Alice"]
    assert (support.organisation, support.sharing, support.sharing_detail) == (
        "Organisation support_teams",
        "weekday",
        "Lundi / jeudi",
    )
    assert support.left_by == "Bruno Durand"
    names, website = holders(plan, "tools.website")
    assert (names, website.left_by) == ([], "Bruno Durand")
    names, ent = holders(plan, "tools.ent_admin")
    assert (names, ent.left_by) == ([], "Chloé Petit")
    assert holders(plan, "tools.services", "BRNE")[0] == ["Alice"]
    assert holders(plan, "communicate")[1].left_by == ""
    assert PlanRow.objects.filter(plan=plan).count() == PlanRow.objects.filter(plan=old_plan).count()


def test_rollover_never_replaces_a_plan_already_copied(cast, old_plan):
    plan_rollover(school=cast.school_a, school_year=cast.school_year)
    with pytest.raises(DomainError, match="Un plan existe déjà"):
        plan_rollover(school=cast.school_a, school_year=cast.school_year)


def test_rollover_without_an_earlier_plan_is_refused(cast):
    with pytest.raises(DomainError, match="Aucun plan d'une année précédente"):
        plan_rollover(school=cast.school_a, school_year=cast.school_year)


def test_saving_a_flagged_row_with_a_holder_clears_the_flag(cast, old_plan, people):
    plan = plan_rollover(school=cast.school_a, school_year=cast.school_year)
    rows = [
        RowInput(
            mission_code=row.mission.code,
            row_id=row.pk,
            service_name=row.service_name,
            holder_ids={people["alice"].pk} if row.mission.code == "tools.website" else set(),
        )
        for row in PlanRow.objects.filter(plan=plan).select_related("mission").order_by("pk")
    ]
    plan = plan_save(plan=plan, expected_version=plan.version, has_tablets=True, rows=rows, by=cast.principal_a)
    assert holders(plan, "tools.website")[1].left_by == ""
    assert holders(plan, "tools.ent_admin")[1].left_by == "Chloé Petit"  # still empty: still flagged


def test_principal_confirms_then_copies_from_the_school_page(client_for, cast, old_plan):
    client = client_for(cast.principal_a)
    school_page = text(client.get(reverse("schools:detail", args=[cast.school_a.uai])))
    assert f"Reprendre le plan {old_plan.school_year.name}" in school_page
    url = reverse("missions:plan_rollover", args=[cast.school_a.uai, cast.school_year.name])
    confirmation = client.get(url)
    page = text(confirmation)
    assert "Bruno Durand" in page and "Chloé Petit" in page
    assert not AllocationPlan.objects.filter(school_year=cast.school_year).exists()  # GET changes nothing

    response = client.post(url, flat(extract_form_fields(confirmation.content, "rollover-form")), follow=True)
    page = text(response)
    assert "reprend le plan" in page
    assert "À revoir : tenue l'an dernier par Bruno Durand, qui a quitté l'établissement" in page
    assert AllocationPlan.objects.get(school=cast.school_a, school_year=cast.school_year).copied_from == old_plan

    again = text(client.post(url, follow=True))
    assert "Un plan existe déjà" in again
    assert AllocationPlan.objects.filter(school=cast.school_a, school_year=cast.school_year).count() == 1


def test_the_referent_sees_the_flag_in_the_read_only_table(client_for, cast, old_plan):
    plan_rollover(school=cast.school_a, school_year=cast.school_year)
    page = text(
        client_for(cast.referent_a).get(reverse("missions:allocation", args=[cast.school_a.uai, cast.school_year.name]))
    )
    assert "À revoir : tenue l'an dernier par Chloé Petit" in page


def test_rentree_job_copies_each_school_once(cast, old_plan, last_year, django_capture_on_commit_callbacks):
    plan_get_or_create(school=cast.school_b, school_year=last_year)
    first_day = cast.school_year.start_date.isoformat()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert rentree_rollover(first_day) == 2  # schools A and B; school C has no plan to copy
    assert len(queued) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert rentree_rollover(first_day) == 0
    assert set(AllocationPlan.objects.filter(school_year=cast.school_year).values_list("school__uai", flat=True)) == {
        cast.school_a.uai,
        cast.school_b.uai,
    }


def _history_rows() -> int:
    return AllocationPlan.history.count() + PlanRow.history.count()


def test_opening_next_years_table_creates_nothing_and_offers_both_starts(client_for, cast, old_plan):
    client = client_for(cast.principal_a)
    url = reverse("missions:allocation", args=[cast.school_a.uai, cast.school_year.name])
    before = _history_rows()
    response = client.get(url)
    assert response.status_code == 200
    assert not AllocationPlan.objects.filter(school_year=cast.school_year).exists()
    assert _history_rows() == before
    page = text(response)
    assert "Reprendre le plan de l'an dernier" in page and "Partir d'un tableau vide" in page
    assert "Bruno Durand" in page and "Chloé Petit" in page  # who is not carried over
    school_page = text(client.get(reverse("schools:detail", args=[cast.school_a.uai])))
    assert f"Reprendre le plan {old_plan.school_year.name}" in school_page  # the rentrée button is still there
    assert "Rien n'est créé avant votre choix" in school_page

    copy = client.post(*_form(response, "plan-start-copy"), follow=True)
    assert "reprend le plan" in text(copy)
    assert AllocationPlan.objects.get(school=cast.school_a, school_year=cast.school_year).copied_from == old_plan


def _form(response, form_id):
    import re

    action = re.search(rf'id="{form_id}" action="([^"]+)"', response.content.decode()).group(1)
    return action, flat(extract_form_fields(response.content, form_id))


def test_partir_dun_tableau_vide_is_a_post_and_creates_the_catalogue_rows(client_for, cast, old_plan):
    client = client_for(cast.principal_a)
    url = reverse("missions:allocation", args=[cast.school_a.uai, cast.school_year.name])
    response = client.post(*_form(client.get(url), "plan-start-empty"), follow=True)
    assert "est commencé, vide" in text(response)
    plan = AllocationPlan.objects.get(school=cast.school_a, school_year=cast.school_year)
    assert plan.copied_from is None and plan.untouched
    assert AllocationPlan.history.get(id=plan.pk).history_user == cast.principal_a
    assert not PlanRow.objects.filter(plan=plan).exclude(holders=None).exists()
    client.post(url, {"start": "empty"})  # a second click starts nothing more
    assert AllocationPlan.objects.filter(school=cast.school_a, school_year=cast.school_year).count() == 1


def test_a_table_started_empty_by_mistake_is_replaced_by_last_years_copy_until_saved(client_for, cast, old_plan):
    client = client_for(cast.principal_a)
    url = reverse("missions:allocation", args=[cast.school_a.uai, cast.school_year.name])
    empty = plan_get_or_create(school=cast.school_a, school_year=cast.school_year, by=cast.principal_a)
    page = client.get(url)
    assert "vous pouvez encore le remplacer par la copie du plan" in text(page)
    rollover_url = reverse("missions:plan_rollover", args=[cast.school_a.uai, cast.school_year.name])
    confirmation = client.get(rollover_url)
    assert "sera remplacé par cette copie" in text(confirmation)
    client.post(rollover_url, flat(extract_form_fields(confirmation.content, "rollover-form")))
    plan = AllocationPlan.objects.get(school=cast.school_a, school_year=cast.school_year)
    assert (plan.pk, plan.copied_from) == (empty.pk, old_plan)
    assert plan.version == 2  # a table still open on the empty plan cannot save over the copy
    assert holders(plan, "tools.services", "BRNE")[0] == ["Alice"]
    assert "vous pouvez encore le remplacer" not in text(client.get(url))


def test_a_table_saved_once_is_never_replaced_by_the_copy(client_for, cast, old_plan):
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    rows = [
        RowInput(mission_code=row.mission.code, row_id=row.pk, organisation="Choisi")
        for row in PlanRow.objects.filter(plan=plan).select_related("mission").order_by("pk")
    ]
    plan_save(plan=plan, expected_version=1, has_tablets=False, rows=rows, by=cast.principal_a)
    client = client_for(cast.principal_a)
    assert "vous pouvez encore le remplacer" not in text(
        client.get(reverse("missions:allocation", args=[cast.school_a.uai, cast.school_year.name]))
    )
    with pytest.raises(DomainError, match="Un plan existe déjà"):
        plan_rollover(school=cast.school_a, school_year=cast.school_year)
    assert set(PlanRow.objects.filter(plan=plan).values_list("organisation", flat=True).order_by()) == {"Choisi"}
