"""missions.services: creating, saving (with its optimistic version) and submitting an allocation plan."""

import pytest

from missions.models import AllocationPlan, Mission, PlanRow
from missions.services import RowInput, plan_get_or_create, plan_reopen, plan_save, plan_submit
from rupn.lib.errors import ConflictError, DomainError
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

STANDARD_CODES = [
    "support_teams",
    "advise_principal",
    "communicate",
    "tools.collectivity_link",
    "tools.tickets",
    "tools.amon",
    "tools.accounts",
    "tools.tablets",
    "tools.ent_admin",
    "tools.ent_usage",
    "tools.website",
]


@pytest.fixture
def plan(cast):
    return plan_get_or_create(school=cast.school_a, school_year=cast.school_year)


@pytest.fixture
def alice(cast):
    return PersonFactory(school=cast.school_a, first_name="Alice", last_name="Martin")


@pytest.fixture
def bruno(cast):
    return PersonFactory(school=cast.school_a, first_name="Bruno", last_name="Durand")


def rows_of(plan):
    return list(PlanRow.objects.filter(plan=plan).select_related("mission").order_by("mission__position", "pk"))


def row_inputs(plan, holders=None, **changes):
    """A RowInput for every saved row, keeping what is saved unless holders (by code) or changes say otherwise."""
    holders = holders or {}
    inputs = []
    for row in rows_of(plan):
        code = row.mission.code
        fields = {
            "service_name": row.service_name,
            "organisation": row.organisation,
            "sharing": row.sharing,
            "sharing_detail": row.sharing_detail,
            "holder_ids": set(holders.get(code, {p.pk for p in row.holders.all()})),
        }
        inputs.append(RowInput(mission_code=code, row_id=row.pk, **(fields | changes.get(code, {}))))
    return inputs


def snapshot(plan):
    """What is saved: (code, service, organisation, sharing, holder ids) per row."""
    return [
        (
            row.mission.code,
            row.service_name,
            row.organisation,
            row.sharing,
            sorted(p.pk for p in row.holders.all()),
        )
        for row in rows_of(plan)
    ]


def blocking_rules_satisfied(alice, bruno):
    return {
        "support_teams": {alice.pk, bruno.pk},
        "advise_principal": {alice.pk},
        "communicate": {bruno.pk},
        "tools.collectivity_link": {alice.pk},
        "tools.ent_admin": {bruno.pk},
    }


def test_plan_get_or_create_makes_one_row_per_standard_mission_in_catalogue_order(cast, plan):
    rows = list(PlanRow.objects.filter(plan=plan).select_related("mission").order_by("pk"))

    assert [row.mission.code for row in rows] == STANDARD_CODES
    assert [row.mission.code for row in rows] == list(
        Mission.objects.filter(kind=Mission.Kind.STANDARD).order_by("position").values_list("code", flat=True)
    )
    assert [row.organisation for row in rows] == [row.mission.proposed_organisation for row in rows]
    assert rows[0].organisation == (
        "Un ou plusieurs enseignants, répartition temporelle sur la semaine ou par projet accompagné"
    )
    assert rows[2].organisation == "1 référent contact pour la DANE"
    assert all(row.service_name == "" and not row.holders.exists() for row in rows)
    assert (plan.state, plan.version, plan.school, plan.school_year) == (
        AllocationPlan.State.DRAFT,
        1,
        cast.school_a,
        cast.school_year,
    )


def test_plan_get_or_create_is_idempotent(cast, plan):
    again = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)

    assert again.pk == plan.pk
    assert AllocationPlan.objects.filter(school=cast.school_a).count() == 1
    assert PlanRow.objects.filter(plan=plan).count() == len(STANDARD_CODES)


def test_plan_save_stores_holders_organisation_sharing_and_bumps_version(cast, plan, alice, bruno):
    saved = plan_save(
        plan=plan,
        expected_version=1,
        has_tablets=True,
        rows=row_inputs(
            plan,
            {"support_teams": {alice.pk, bruno.pk}, "communicate": {bruno.pk}},
            support_teams={
                "organisation": "  Alice le lundi, Bruno le jeudi  ",
                "sharing": PlanRow.Sharing.WEEKDAY,
                "sharing_detail": " lundi / jeudi ",
            },
        ),
        by=cast.principal_a,
    )

    assert saved.version == 2
    assert saved.has_tablets is True
    assert saved.updated_by == cast.principal_a
    support = PlanRow.objects.get(plan=plan, mission__code="support_teams")
    assert support.organisation == "Alice le lundi, Bruno le jeudi"
    assert support.sharing == PlanRow.Sharing.WEEKDAY
    assert support.sharing_detail == "lundi / jeudi"
    assert set(support.holders.values_list("pk", flat=True)) == {alice.pk, bruno.pk}
    communicate = PlanRow.objects.get(plan=plan, mission__code="communicate")
    assert list(communicate.holders.values_list("pk", flat=True)) == [bruno.pk]
    assert communicate.organisation == "1 référent contact pour la DANE"
    assert PlanRow.objects.filter(plan=plan, holders__isnull=False).distinct().count() == 2


def test_plan_save_drops_sharing_detail_when_the_row_is_not_shared(cast, plan):
    plan_save(
        plan=plan,
        expected_version=1,
        has_tablets=False,
        rows=row_inputs(plan, support_teams={"sharing": "", "sharing_detail": "lundi"}),
        by=cast.principal_a,
    )

    assert PlanRow.objects.get(plan=plan, mission__code="support_teams").sharing_detail == ""


def test_plan_save_with_a_stale_version_raises_conflict_and_changes_nothing(cast, plan, alice, bruno):
    plan_save(
        plan=plan,
        expected_version=1,
        has_tablets=False,
        rows=row_inputs(plan, {"communicate": {alice.pk}}),
        by=cast.principal_a,
    )
    before = snapshot(plan)

    with pytest.raises(ConflictError) as error:
        plan_save(
            plan=plan,
            expected_version=1,
            has_tablets=True,
            rows=row_inputs(
                plan, {"communicate": {bruno.pk}, "support_teams": {bruno.pk}}, communicate={"organisation": "Bruno"}
            ),
            by=cast.principal_a,
        )

    assert "Anne Principale" in str(error.value)
    assert "Rien n'a été enregistré" in str(error.value)
    plan.refresh_from_db()
    assert (plan.version, plan.has_tablets) == (2, False)
    assert snapshot(plan) == before
    assert PlanRow.objects.get(plan=plan, mission__code="communicate").holders.get() == alice


def test_plan_save_refuses_a_person_of_another_school_and_saves_nothing(cast, plan, alice):
    stranger = PersonFactory(school=cast.school_b)
    before = snapshot(plan)

    with pytest.raises(DomainError) as error:
        plan_save(
            plan=plan,
            expected_version=1,
            has_tablets=True,
            rows=row_inputs(
                plan,
                {"support_teams": {alice.pk}, "communicate": {stranger.pk}},
                support_teams={"organisation": "Changée"},
            ),
            by=cast.principal_a,
        )

    assert str(error.value) == "Une personne choisie ne fait pas partie du personnel de l'établissement."
    plan.refresh_from_db()
    assert (plan.version, plan.has_tablets, plan.updated_by) == (1, False, None)
    assert snapshot(plan) == before


def test_plan_save_creates_a_new_service_row(cast, plan, alice):
    inputs = row_inputs(plan) + [
        RowInput(mission_code="tools.services", row_id=None, service_name=" BRNE ", holder_ids={alice.pk})
    ]

    plan_save(plan=plan, expected_version=1, has_tablets=False, rows=inputs, by=cast.principal_a)

    service = PlanRow.objects.get(plan=plan, mission__code="tools.services")
    assert service.service_name == "BRNE"
    assert list(service.holders.values_list("pk", flat=True)) == [alice.pk]
    assert PlanRow.objects.filter(plan=plan).count() == len(STANDARD_CODES) + 1


def test_plan_save_creates_two_new_service_rows_at_once(cast, plan, alice, bruno):
    inputs = row_inputs(plan) + [
        RowInput(mission_code="tools.services", row_id=None, service_name="BRNE", holder_ids={alice.pk}),
        RowInput(mission_code="tools.services", row_id=None, service_name="Pearltrees", holder_ids={bruno.pk}),
    ]

    plan_save(plan=plan, expected_version=1, has_tablets=False, rows=inputs, by=cast.principal_a)

    services = PlanRow.objects.filter(plan=plan, mission__code="tools.services").order_by("service_name")
    assert [(row.service_name, [p.pk for p in row.holders.all()]) for row in services] == [
        ("BRNE", [alice.pk]),
        ("Pearltrees", [bruno.pk]),
    ]


@pytest.mark.parametrize("duplicate", ["BRNE", "brne", " BRNE "])
def test_plan_save_refuses_a_service_named_twice(cast, plan, alice, bruno, duplicate):
    plan_save(
        plan=plan,
        expected_version=1,
        has_tablets=False,
        rows=row_inputs(plan) + [RowInput(mission_code="tools.services", service_name="BRNE", holder_ids={alice.pk})],
        by=cast.principal_a,
    )
    before = snapshot(plan)

    with pytest.raises(DomainError) as error:
        plan_save(
            plan=plan,
            expected_version=2,
            has_tablets=False,
            rows=row_inputs(plan)
            + [RowInput(mission_code="tools.services", service_name=duplicate, holder_ids={bruno.pk})],
            by=cast.principal_a,
        )

    assert str(error.value) == f"Le service « {duplicate.strip()} » figure deux fois."
    plan.refresh_from_db()
    assert plan.version == 2
    assert snapshot(plan) == before


def test_plan_save_deletes_a_service_row_emptied_of_name_and_holders(cast, plan, alice):
    plan_save(
        plan=plan,
        expected_version=1,
        has_tablets=False,
        rows=row_inputs(plan)
        + [RowInput(mission_code="tools.services", service_name="Pearltrees", holder_ids={alice.pk})],
        by=cast.principal_a,
    )
    assert PlanRow.objects.filter(plan=plan, mission__code="tools.services").count() == 1

    plan_save(
        plan=plan,
        expected_version=2,
        has_tablets=False,
        rows=row_inputs(plan, {"tools.services": set()}, **{"tools.services": {"service_name": ""}}),
        by=cast.principal_a,
    )

    assert not PlanRow.objects.filter(plan=plan, mission__code="tools.services").exists()
    assert PlanRow.objects.filter(plan=plan).count() == len(STANDARD_CODES)


def test_plan_submit_refuses_while_a_blocking_rule_fails_and_leaves_a_draft(cast, plan):
    with pytest.raises(DomainError) as error:
        plan_submit(plan=plan, by=cast.principal_a)

    assert error.value.messages == [
        "Désignez au moins 1 personne pour « Accompagner l'équipe pédagogique ».",
        "Désignez au moins 1 personne pour « Conseiller le chef d'établissement ».",
        "Désignez une personne pour « Communiquer ».",
        "Désignez une personne pour « Lien avec collectivité ».",
        "Désignez une personne pour « ENT — administrateur ».",
    ]
    assert "conseil d'administration" in str(error.value)
    plan.refresh_from_db()
    assert (plan.state, plan.submitted_at, plan.submitted_by, plan.version) == (
        AllocationPlan.State.DRAFT,
        None,
        None,
        1,
    )


def test_plan_submit_lists_only_the_failing_blocking_rules(cast, plan, alice, bruno):
    holders = blocking_rules_satisfied(alice, bruno) | {"communicate": {alice.pk, bruno.pk}}
    plan_save(plan=plan, expected_version=1, has_tablets=False, rows=row_inputs(plan, holders), by=cast.principal_a)

    with pytest.raises(DomainError) as error:
        plan_submit(plan=plan, by=cast.principal_a)

    assert error.value.messages == ["« Communiquer » demande une seule personne : 2 sont désignées."]
    plan.refresh_from_db()
    assert plan.state == AllocationPlan.State.DRAFT


def test_plan_submit_succeeds_once_blocking_rules_hold(cast, plan, alice, bruno):
    # Warnings (tickets, ENT usages, website left empty) do not block.
    plan_save(
        plan=plan,
        expected_version=1,
        has_tablets=False,
        rows=row_inputs(plan, blocking_rules_satisfied(alice, bruno)),
        by=cast.principal_a,
    )

    submitted = plan_submit(plan=plan, by=cast.principal_a)

    plan.refresh_from_db()
    assert plan.state == AllocationPlan.State.SUBMITTED
    assert plan.submitted_at is not None
    assert plan.submitted_by == cast.principal_a
    assert plan.version == 3
    assert (submitted.state, submitted.submitted_at, submitted.version) == (
        plan.state,
        plan.submitted_at,
        plan.version,
    )


def test_saving_a_submitted_plan_is_refused_and_leaves_it_submitted(cast, plan, alice, bruno):
    plan_save(
        plan=plan,
        expected_version=1,
        has_tablets=False,
        rows=row_inputs(plan, blocking_rules_satisfied(alice, bruno)),
        by=cast.principal_a,
    )
    submitted = plan_submit(plan=plan, by=cast.principal_a)
    with pytest.raises(DomainError, match="Modifier le plan soumis"):
        plan_save(
            plan=plan,
            expected_version=submitted.version,
            has_tablets=False,
            rows=row_inputs(plan, {"tools.tickets": {alice.pk}}),
            by=cast.principal_a,
        )
    plan.refresh_from_db()
    assert (plan.state, plan.submitted_at, plan.version) == (
        AllocationPlan.State.SUBMITTED,
        submitted.submitted_at,
        submitted.version,
    )
    assert not PlanRow.objects.get(plan=plan, mission__code="tools.tickets").holders.exists()


def test_reopening_a_submitted_plan_makes_it_a_draft_recorded_in_its_history(cast, plan, alice, bruno):
    plan_save(
        plan=plan,
        expected_version=1,
        has_tablets=False,
        rows=row_inputs(plan, blocking_rules_satisfied(alice, bruno)),
        by=cast.principal_a,
    )
    submitted = plan_submit(plan=plan, by=cast.principal_a)
    reopened = plan_reopen(plan=plan, by=cast.principal_a)
    assert (reopened.state, reopened.submitted_at) == (AllocationPlan.State.DRAFT, None)
    assert reopened.version == submitted.version + 1
    record = AllocationPlan.history.filter(id=plan.pk).latest("history_id")
    assert (record.state, record.history_user) == ("draft", cast.principal_a)
    saved = plan_save(
        plan=plan,
        expected_version=reopened.version,
        has_tablets=False,
        rows=row_inputs(plan, {"tools.tickets": {alice.pk}}),
        by=cast.principal_a,
    )
    assert saved.state == AllocationPlan.State.DRAFT
    with pytest.raises(DomainError, match="n'est pas soumis"):
        plan_reopen(plan=plan, by=cast.principal_a)
