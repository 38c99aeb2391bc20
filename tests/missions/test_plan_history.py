"""The audit of allocation plans: every way a plan or its rows change leaves a history row with who and what."""

import datetime

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from imp.models import AwardEvent, EnvelopeChange
from missions.models import AllocationPlan, PlanRow
from missions.services import RowInput, plan_get_or_create, plan_rollover, plan_save, plan_submit
from portal.personal_data import persons_anonymize
from rupn.lib.errors import ConflictError
from schools.models import SchoolYear
from tests.factories import PersonFactory
from tests.utils import extract_form_fields, flat

pytestmark = pytest.mark.django_db

HolderHistory = apps.get_model("missions", "HistoricalPlanRow_holders")


def row_history(row):
    return list(PlanRow.history.filter(id=row.pk).order_by("history_id"))


def recorded_holders(record) -> set[int]:
    return set(HolderHistory.objects.filter(history=record).values_list("person_id", flat=True).order_by())


def inputs(plan, **by_code):
    """A RowInput per saved row, as saved, except the codes given: {code: (organisation, holder ids)}."""
    result = []
    for row in PlanRow.objects.filter(plan=plan).select_related("mission").prefetch_related("holders").order_by("pk"):
        organisation, holders = by_code.get(row.mission.code, (row.organisation, {p.pk for p in row.holders.all()}))
        result.append(
            RowInput(mission_code=row.mission.code, row_id=row.pk, organisation=organisation, holder_ids=holders)
        )
    return result


@pytest.fixture
def alice(cast):
    return PersonFactory(school=cast.school_a, first_name="Alice", last_name="Dupont")


def test_starting_the_table_records_the_new_plan_and_its_rows_with_the_principal(client_for, cast):
    url = reverse("missions:allocation", args=[cast.school_a.uai, cast.school_year.name])
    client_for(cast.principal_a).post(url, {"start": "empty"})  # "Partir d'un tableau vide"
    plan = AllocationPlan.objects.get(school=cast.school_a)
    record = AllocationPlan.history.get(id=plan.pk)
    assert (record.history_type, record.history_user) == ("+", cast.principal_a)
    rows = PlanRow.history.filter(plan_id=plan.pk)
    assert rows.count() == PlanRow.objects.filter(plan=plan).count() > 0
    assert set(rows.values_list("history_type", "history_user", flat=False).distinct()) == {("+", cast.principal_a.pk)}


def test_saving_the_table_records_who_changed_which_row_holders_included(client_for, cast, alice):
    client = client_for(cast.principal_a)
    url = reverse("missions:allocation", args=[cast.school_a.uai, cast.school_year.name])
    client.post(url, {"start": "empty"})
    data = extract_form_fields(client.get(url).content, "allocation-form")
    plan = AllocationPlan.objects.get(school=cast.school_a)
    support = PlanRow.objects.get(plan=plan, mission__code="support_teams")
    website = PlanRow.objects.get(plan=plan, mission__code="tools.website")
    data[f"row-{support.pk}-holders"] = [str(alice.pk), str(cast.referent_person.pk)]
    data[f"row-{website.pk}-organisation"] = ["Alice met le site à jour le lundi"]
    data["save"] = [""]
    assert client.post(url, flat(data)).status_code == 302

    created, changed = row_history(support)
    assert (changed.history_type, changed.history_user) == ("~", cast.principal_a)
    assert recorded_holders(changed) == {alice.pk, cast.referent_person.pk}
    assert recorded_holders(created) == set()
    delta = changed.diff_against(created, excluded_fields=["holders"])
    assert delta.changed_fields == []  # only the holders changed
    _created, website_changed = row_history(website)
    assert website_changed.organisation == "Alice met le site à jour le lundi"
    assert website_changed.history_user == cast.principal_a
    untouched = PlanRow.objects.get(plan=plan, mission__code="communicate")
    assert len(row_history(untouched)) == 1  # rows left as they were get no history row


def test_a_refused_save_records_nothing(cast, alice):
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    before = PlanRow.history.count(), AllocationPlan.history.count()
    with pytest.raises(ConflictError):
        plan_save(
            plan=plan,
            expected_version=7,
            has_tablets=True,
            rows=inputs(plan, support_teams=("", {alice.pk})),
            by=cast.principal_a,
        )
    assert (PlanRow.history.count(), AllocationPlan.history.count()) == before


def test_the_plan_itself_is_recorded_when_its_own_fields_change(cast):
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    plan = plan_save(plan=plan, expected_version=1, has_tablets=True, rows=inputs(plan), by=cast.principal_a)
    plan = plan_save(plan=plan, expected_version=2, has_tablets=True, rows=inputs(plan), by=cast.principal_a)
    records = list(AllocationPlan.history.filter(id=plan.pk).order_by("history_id"))
    assert [(r.history_type, r.has_tablets) for r in records] == [("+", False), ("~", True)]
    assert records[1].history_user == cast.principal_a


def test_a_service_row_added_then_removed_is_recorded_both_times(cast, alice):
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    rows = [*inputs(plan), RowInput(mission_code="tools.services", service_name="BRNE", holder_ids={alice.pk})]
    plan = plan_save(plan=plan, expected_version=1, has_tablets=False, rows=rows, by=cast.principal_a)
    brne = PlanRow.objects.get(plan=plan, service_name="BRNE")
    (added,) = row_history(brne)
    assert (added.history_type, added.history_user, recorded_holders(added)) == ("+", cast.principal_a, {alice.pk})

    emptied = [
        RowInput(mission_code=r.mission_code, row_id=r.row_id, organisation=r.organisation, holder_ids=r.holder_ids)
        if r.row_id != brne.pk
        else RowInput(mission_code="tools.services", row_id=brne.pk)
        for r in inputs(plan)
    ]
    plan_save(plan=plan, expected_version=2, has_tablets=False, rows=emptied, by=cast.rectorat)
    removed = PlanRow.history.filter(id=brne.pk).latest("history_id")
    assert (removed.history_type, removed.history_user) == ("-", cast.rectorat)


def test_submitting_records_the_new_state_and_who_submitted(cast, alice):
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    blocking = ("support_teams", "advise_principal", "communicate", "tools.collectivity_link", "tools.ent_admin")
    rows = inputs(plan, **{code: ("", {alice.pk}) for code in blocking})
    plan = plan_save(plan=plan, expected_version=1, has_tablets=False, rows=rows, by=cast.principal_a)
    plan_submit(plan=plan, by=cast.principal_a)
    record = AllocationPlan.history.filter(id=plan.pk).latest("history_id")
    assert (record.state, record.history_user, record.submitted_by) == ("submitted", cast.principal_a, cast.principal_a)


def test_the_rentree_copy_records_the_new_plan_and_each_row_with_its_holders(cast, alice):
    last_year = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year - 1)[0]
    old = plan_get_or_create(school=cast.school_a, school_year=last_year)
    plan_save(
        plan=old,
        expected_version=1,
        has_tablets=False,
        rows=inputs(old, support_teams=("Le lundi", {alice.pk})),
        by=cast.principal_a,
    )
    plan = plan_rollover(school=cast.school_a, school_year=cast.school_year, by=cast.principal_a)
    assert AllocationPlan.history.get(id=plan.pk).history_user == cast.principal_a
    support = PlanRow.objects.get(plan=plan, mission__code="support_teams")
    (record,) = row_history(support)
    assert (record.history_type, record.organisation, recorded_holders(record)) == ("+", "Le lundi", {alice.pk})


def test_history_keeps_ids_of_people_never_their_names_so_anonymization_is_whole(cast):
    last_year = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year - 3)[0]
    gone = PersonFactory(school=cast.school_a, first_name="Gaspard", last_name="Zyxwvutsr", leaving=True)
    old = plan_get_or_create(school=cast.school_a, school_year=last_year)
    plan_save(plan=old, expected_version=1, has_tablets=False, rows=inputs(old, support_teams=("", {gone.pk})), by=None)
    plan_rollover(school=cast.school_a, school_year=cast.school_year, by=cast.principal_a)
    assert PlanRow.objects.filter(left_by__contains="Zyxwvutsr").exists()  # the live row names who left
    gone.is_active = False
    gone.save()
    assert persons_anonymize(years=1, today=datetime.date(cast.school_year.start_year + 1, 9, 1)) == 1
    assert not PlanRow.objects.filter(left_by__contains="Zyxwvutsr").exists()  # nor the live rows

    history_tables = [model._meta.db_table for model in apps.get_models() if model.__name__.startswith("Historical")]
    history_tables += [AwardEvent._meta.db_table, EnvelopeChange._meta.db_table]  # the IMP's own history tables
    assert len(history_tables) >= 7
    with connection.cursor() as cursor:
        for table in history_tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (our own table names)
            assert not any("Zyxwvutsr" in str(value) for row in cursor.fetchall() for value in row), table
