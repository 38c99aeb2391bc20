"""missions.rules.check_plan on plain data: the catalogue's rules, "Se former", continuity."""

import importlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from missions.rules import BLOCKING, WARNING, MissionSpec, PersonInfo, RowState, check_plan
from rupn.lib.formats import sort_key

CATALOGUE = importlib.import_module("missions.migrations.0003_catalogue").CATALOGUE
TABLETS = importlib.import_module("missions.migrations.0005_tablets_selon_collectivite")

SPECS = [
    MissionSpec(
        code=code,
        label=label,
        kind=kind,
        min_holders=minimum,
        max_holders=maximum,
        blocking=blocking,
        requires_action=action,
        requires_tablets=tablets,
    )
    for code, label, _organisation, _parent, kind, minimum, maximum, blocking, action, tablets in (
        # Migration 0005 made the tablets row "selon collectivité".
        (row if row[0] != TABLETS.CODE else (*row[:1], TABLETS.LABEL, *row[2:8], "tablets", row[9]))
        for row in CATALOGUE
    )
]
LABELS = {spec.code: spec.label for spec in SPECS}
STANDARD_CODES = [spec.code for spec in SPECS if spec.kind == "standard"]
BLOCKING_CODES = [spec.code for spec in SPECS if spec.blocking]

PEOPLE = {
    1: PersonInfo("Alice Martin"),
    2: PersonInfo("Bruno Durand"),
    3: PersonInfo("Chloé Bernard"),
}

# Every rule satisfied, shared between people 1 and 2 so that no continuity warning appears.
SATISFIED = {
    "support_teams": {1},
    "advise_principal": {1, 2},
    "communicate": {1},
    "tools.collectivity_link": {2},
    "tools.tickets": {2},
    "tools.amon": set(),
    "tools.accounts": set(),
    "tools.tablets": set(),
    "tools.ent_admin": {1},
    "tools.ent_usage": {2},
    "tools.website": {1},
}


def rows_for(holders: dict[str, set[int]], services: tuple[tuple[str, str, set[int]], ...] = ()) -> list[RowState]:
    """One row per standard mission keyed by its code, plus (key, service name, holders) service rows."""
    rows = [
        RowState(key=code, mission_code=code, holder_ids=frozenset(holders.get(code, ()))) for code in STANDARD_CODES
    ]
    rows += [
        RowState(key=key, mission_code="tools.services", holder_ids=frozenset(ids), service_name=name)
        for key, name, ids in services
    ]
    return rows


def check(changes=None, *, services=(), people=PEOPLE, authorized=(), has_tablets=False):
    return check_plan(
        missions=SPECS,
        rows=rows_for({**SATISFIED, **(changes or {})}, services),
        people=people,
        authorized_actions=authorized,
        has_tablets=has_tablets,
    )


def all_messages(result):
    return {key: messages for key, messages in result.row_messages.items() if messages} | (
        {"plan": result.plan_messages} if result.plan_messages else {}
    )


def test_catalogue_has_five_blocking_rows():
    assert BLOCKING_CODES == [
        "support_teams",
        "advise_principal",
        "communicate",
        "tools.collectivity_link",
        "tools.ent_admin",
    ]


def test_satisfied_plan_has_no_message():
    result = check()

    assert all_messages(result) == {}
    assert result.has_blocking is False
    assert result.warning_count == 0


@pytest.mark.parametrize(
    ("code", "holders", "expected"),
    [
        pytest.param(
            "support_teams",
            set(),
            "Désignez au moins 1 personne pour « Accompagner l'équipe pédagogique ».",
            id="support_teams-needs-at-least-one",
        ),
        pytest.param(
            "advise_principal",
            set(),
            "Désignez au moins 1 personne pour « Conseiller le chef d'établissement ».",
            id="advise_principal-needs-at-least-one",
        ),
        pytest.param(
            "communicate",
            set(),
            "Désignez une personne pour « Communiquer ».",
            id="communicate-needs-exactly-one-not-zero",
        ),
        pytest.param(
            "communicate",
            {1, 2},
            "« Communiquer » demande une seule personne : 2 sont désignées.",
            id="communicate-needs-exactly-one-not-two",
        ),
        pytest.param(
            "tools.collectivity_link",
            set(),
            "Désignez une personne pour « Lien avec collectivité ».",
            id="collectivity_link-needs-exactly-one-not-zero",
        ),
        pytest.param(
            "tools.collectivity_link",
            {1, 2},
            "« Lien avec collectivité » demande une seule personne : 2 sont désignées.",
            id="collectivity_link-needs-exactly-one-not-two",
        ),
        pytest.param(
            "tools.ent_admin",
            set(),
            "Désignez une personne pour « ENT — administrateur ».",
            id="ent_admin-needs-exactly-one-not-zero",
        ),
        pytest.param(
            "tools.ent_admin",
            {1, 2, 3},
            "« ENT — administrateur » demande une seule personne : 3 sont désignées.",
            id="ent_admin-needs-exactly-one-not-three",
        ),
    ],
)
def test_violated_blocking_rule_blocks_with_a_message_naming_the_mission(code, holders, expected):
    result = check({code: holders})

    assert all_messages(result) == {code: result.row_messages[code]}
    (message,) = result.row_messages[code]
    assert message.level == BLOCKING
    assert message.is_blocking is True
    assert f"« {LABELS[code]} »" in message.text
    assert message.text == expected
    assert result.has_blocking is True
    assert result.blocking_messages == [message]


@pytest.mark.parametrize(
    ("code", "holders", "expected"),
    [
        pytest.param(
            "tools.tickets",
            set(),
            "Désignez au moins 1 personne pour « Remontée des tickets de dysfonctionnement ».",
            id="tickets-needs-at-least-one",
        ),
        pytest.param(
            "tools.ent_usage",
            set(),
            "Désignez au moins 1 personne pour « ENT — référent usages ».",
            id="ent_usage-needs-at-least-one",
        ),
        pytest.param(
            "tools.website",
            set(),
            "Désignez une personne pour « Animation du site web ».",
            id="website-needs-exactly-one-not-zero",
        ),
        pytest.param(
            "tools.website",
            {1, 2},
            "« Animation du site web » demande une seule personne : 2 sont désignées.",
            id="website-needs-exactly-one-not-two",
        ),
    ],
)
def test_violated_warning_rule_warns_without_blocking(code, holders, expected):
    result = check({code: holders})

    assert all_messages(result) == {code: result.row_messages[code]}
    (message,) = result.row_messages[code]
    assert message.level == WARNING
    assert message.text == expected
    assert result.has_blocking is False
    assert result.warning_count == 1


@pytest.mark.parametrize(
    ("code", "holders"),
    [
        pytest.param("support_teams", {1, 2, 3}, id="support_teams-three"),
        pytest.param("advise_principal", {3}, id="advise_principal-one"),
        pytest.param("communicate", {3}, id="communicate-one"),
        pytest.param("tools.collectivity_link", {3}, id="collectivity_link-one"),
        pytest.param("tools.tickets", {1, 2, 3}, id="tickets-three"),
        pytest.param("tools.ent_admin", {3}, id="ent_admin-one"),
        pytest.param("tools.ent_usage", {1, 3}, id="ent_usage-two"),
        pytest.param("tools.website", {3}, id="website-one"),
    ],
)
def test_satisfied_rule_gives_no_message(code, holders):
    result = check({code: holders})

    assert result.row_messages[code] == []
    assert all_messages(result) == {}


def test_tablets_need_someone_when_the_school_declares_tablets_and_the_collectivite_authorizes_them():
    result = check({"tools.tablets": set()}, has_tablets=True, authorized={"tablets"})

    (message,) = result.row_messages["tools.tablets"]
    assert message.level == WARNING
    assert message.text == "Désignez au moins 1 personne pour « 'Administrer' les tablettes (selon collectivité) »."
    assert all_messages(result) == {"tools.tablets": [message]}
    assert result.has_blocking is False


def test_declared_tablets_without_the_collectivites_authorization_say_who_decides_instead_of_asking_for_a_holder():
    result = check({"tools.tablets": set()}, has_tablets=True, authorized={"amon"})

    (message,) = result.row_messages["tools.tablets"]
    assert message.level == WARNING
    assert "c'est la collectivité qui décide" in message.text
    assert "« Lien avec collectivité »" in message.text
    assert "Désignez" not in message.text
    assert result.has_blocking is False


def test_tablets_need_nobody_when_the_school_has_no_tablets():
    result = check({"tools.tablets": set()}, has_tablets=False)

    assert result.row_messages["tools.tablets"] == []


@pytest.mark.parametrize("has_tablets", [True, False], ids=["declared", "not-declared"])
def test_tablets_held_with_the_collectivites_authorization_give_no_message(has_tablets):
    result = check({"tools.tablets": {1, 2}}, has_tablets=has_tablets, authorized={"tablets"})

    assert result.row_messages["tools.tablets"] == []
    assert all_messages(result) == {}


def test_tablets_held_without_the_collectivites_authorization_warn_that_nobody_may_hold_them():
    result = check({"tools.tablets": {1, 2}}, has_tablets=True)

    (message,) = result.row_messages["tools.tablets"]
    assert message.text.startswith("La collectivité n'autorise pas cette action")


UNAUTHORIZED = (
    "La collectivité n'autorise pas cette action pour cette année : "
    "personne ne peut en être chargé tant qu'elle ne l'a pas autorisée."
)


@pytest.mark.parametrize(
    ("code", "action", "other_action"),
    [("tools.amon", "amon", "accounts"), ("tools.accounts", "accounts", "amon")],
)
def test_action_held_without_the_collectivity_authorization_warns(code, action, other_action):
    result = check({code: {1, 2}}, authorized=[other_action])

    (message,) = result.row_messages[code]
    assert message.level == WARNING
    assert message.text == UNAUTHORIZED
    assert all_messages(result) == {code: [message]}
    assert result.has_blocking is False


@pytest.mark.parametrize(("code", "action"), [("tools.amon", "amon"), ("tools.accounts", "accounts")])
def test_action_held_with_the_collectivity_authorization_gives_no_message(code, action):
    result = check({code: {1, 2}}, authorized=[action])

    assert result.row_messages[code] == []
    assert all_messages(result) == {}


@pytest.mark.parametrize("code", ["tools.amon", "tools.accounts"])
def test_action_nobody_holds_needs_no_authorization(code):
    result = check({code: set()}, authorized=[])

    assert result.row_messages[code] == []


@pytest.mark.parametrize(
    ("name", "holders", "expected"),
    [
        pytest.param("BRNE", set(), "Le service « BRNE » demande un référent, et un seul.", id="named-service-nobody"),
        pytest.param(
            "Pearltrees", {1, 2}, "Le service « Pearltrees » demande un référent, et un seul.", id="named-service-two"
        ),
        pytest.param("", {1}, "Indiquez le nom du service pédagogique administré.", id="holders-without-service-name"),
    ],
)
def test_service_row_rule_warns_without_blocking(name, holders, expected):
    result = check(services=(("service-1", name, holders),))

    (message,) = result.row_messages["service-1"]
    assert message.level == WARNING
    assert message.text == expected
    assert all_messages(result) == {"service-1": [message]}
    assert result.has_blocking is False


def test_service_rows_with_one_referent_each_give_no_message():
    result = check(services=(("service-1", "BRNE", {1}), ("service-2", "Pearltrees", {2})))

    assert result.row_messages["service-1"] == []
    assert result.row_messages["service-2"] == []
    assert all_messages(result) == {}


def test_training_lists_everyone_named_once_sorted_by_name():
    people = {
        10: PersonInfo("Zoé Adam"),
        11: PersonInfo("Bruno Durand"),
        12: PersonInfo("Alice Martin"),
        13: PersonInfo("Nina Petit"),  # named nowhere
        14: PersonInfo("Chloé Bernard"),  # named only on a service row
    }
    result = check(
        {code: {10, 11} for code in SATISFIED if code not in ("communicate", "tools.amon", "tools.accounts")}
        | {"communicate": {12}, "tools.collectivity_link": {10}, "tools.ent_admin": {11}, "tools.website": {12}},
        services=(("service-1", "BRNE", {14}),),
        people=people,
    )

    assert result.training_ids == [12, 11, 14, 10]


def test_group_and_derived_rows_get_no_messages_and_do_not_count_as_named():
    rows = rows_for(SATISFIED) + [
        RowState(key="tools", mission_code="tools", holder_ids=frozenset()),
        RowState(key="training", mission_code="training", holder_ids=frozenset({3})),
    ]

    result = check_plan(missions=SPECS, rows=rows, people=PEOPLE)

    assert "tools" not in result.row_messages
    assert "training" not in result.row_messages
    assert result.training_ids == [1, 2]
    assert result.plan_messages == []


def test_one_person_holding_every_held_row_gets_a_plan_warning_naming_them():
    only_alice = {code: {1} for code in ("support_teams", "advise_principal", "communicate")}
    result = check({code: set() for code in SATISFIED} | only_alice)

    (message,) = result.plan_messages
    assert message.level == WARNING
    assert message.text.startswith("Alice Martin assure toutes les missions")
    assert "continuité" in message.text
    assert result.training_ids == [1]


def test_one_person_holding_a_single_row_gets_no_continuity_warning():
    result = check({code: set() for code in SATISFIED} | {"support_teams": {1}})

    assert result.plan_messages == []


def test_two_people_sharing_the_rows_get_no_continuity_warning():
    result = check({code: {1, 2} for code in ("support_teams", "advise_principal", "tools.tickets")})

    assert result.plan_messages == []


def test_row_held_only_by_a_leaving_person_warns_naming_the_person_and_the_mission():
    people = {**PEOPLE, 3: PersonInfo("Chloé Bernard", leaving=True)}

    result = check({"tools.tickets": {3}}, people=people)

    (message,) = result.row_messages["tools.tickets"]
    assert message.level == WARNING
    assert message.text == (
        "« Remontée des tickets de dysfonctionnement » n'est assurée que par Chloé Bernard, qui quitte "
        "l'établissement à la fin de l'année : prévoyez un second responsable."
    )
    assert all_messages(result) == {"tools.tickets": [message]}
    assert result.has_blocking is False


def test_service_row_held_only_by_a_leaving_person_names_the_service():
    people = {**PEOPLE, 3: PersonInfo("Chloé Bernard", leaving=True)}

    result = check(services=(("service-1", "BRNE", {3}),), people=people)

    (message,) = result.row_messages["service-1"]
    assert "« Administrer les services pédagogiques (BRNE, Pearltrees, …) — BRNE »" in message.text
    assert "Chloé Bernard" in message.text


def test_row_held_by_a_leaving_person_and_another_gets_no_leaving_warning():
    people = {**PEOPLE, 3: PersonInfo("Chloé Bernard", leaving=True)}

    result = check({"tools.tickets": {1, 3}}, people=people)

    assert result.row_messages["tools.tickets"] == []
    assert all_messages(result) == {}


def test_leaving_sole_holder_of_a_blocking_row_warns_without_blocking():
    people = {**PEOPLE, 3: PersonInfo("Chloé Bernard", leaving=True)}

    result = check({"communicate": {3}}, people=people)

    (message,) = result.row_messages["communicate"]
    assert message.level == WARNING
    assert "Chloé Bernard" in message.text
    assert result.has_blocking is False


# --- properties ----------------------------------------------------------------------------------------

HELD_CODES = [spec.code for spec in SPECS if spec.kind in ("standard", "per_service")]
SPEC_BY_CODE = {spec.code: spec for spec in SPECS}


@st.composite
def plans(draw):
    names = draw(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6, unique=True))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=len(names), max_size=len(names), unique=True))
    people = {pk: PersonInfo(name, leaving=draw(st.booleans())) for pk, name in zip(ids, names, strict=True)}
    holders = st.frozensets(st.sampled_from(ids), max_size=len(ids))
    rows = [RowState(key=code, mission_code=code, holder_ids=draw(holders)) for code in STANDARD_CODES]
    services = draw(st.lists(st.text(max_size=8), max_size=3))
    rows += [
        RowState(key=f"service-{i}", mission_code="tools.services", holder_ids=draw(holders), service_name=name)
        for i, name in enumerate(services)
    ]
    authorized = draw(st.sets(st.sampled_from(["amon", "accounts", "tablets"])))
    return people, rows, authorized, draw(st.booleans())


@given(plans())
def test_training_and_blocking_follow_the_rows(plan):
    people, rows, authorized, has_tablets = plan

    result = check_plan(
        missions=SPECS, rows=rows, people=people, authorized_actions=authorized, has_tablets=has_tablets
    )

    holders = {pk for row in rows for pk in row.holder_ids}
    assert result.training_ids == sorted(holders, key=lambda pk: (sort_key(people[pk].full_name), pk))
    counts = {row.mission_code: len(row.holder_ids) for row in rows}
    violated = [
        code
        for code in BLOCKING_CODES
        if counts[code] < SPEC_BY_CODE[code].min_holders
        or (SPEC_BY_CODE[code].max_holders is not None and counts[code] > SPEC_BY_CODE[code].max_holders)
    ]
    assert result.has_blocking is bool(violated)
    assert sorted({key for key, ms in result.row_messages.items() for m in ms if m.is_blocking}) == sorted(violated)


def test_leaving_sole_holder_of_a_one_person_row_is_asked_for_a_successor_not_a_second_holder():
    people = {**PEOPLE, 3: PersonInfo("Chloé Bernard", leaving=True)}

    result = check({"tools.website": {3}}, people=people)

    (message,) = result.row_messages["tools.website"]
    assert message.text == (
        "« Animation du site web » n'est assurée que par Chloé Bernard, qui quitte l'établissement à la fin "
        "de l'année : prévoyez qui reprendra la mission à la rentrée."
    )
    assert "second" not in message.text
    # Following the advice (one person who stays) leaves the row without any message.
    assert check({"tools.website": {1}}, people=people).row_messages["tools.website"] == []


def test_leaving_sole_holder_of_an_action_the_collectivite_does_not_authorize_gets_no_successor_advice():
    people = {**PEOPLE, 3: PersonInfo("Chloé Bernard", leaving=True)}

    result = check({"tools.amon": {3}}, people=people)

    unauthorized, leaving = result.row_messages["tools.amon"]
    assert "n'autorise pas" in unauthorized.text
    assert leaving.text == (
        "« Interface pédagogique AMON (selon collectivité) » n'est assurée que par Chloé Bernard, qui quitte "
        "l'établissement à la fin de l'année."
    )


def _wanted_range(messages):
    low, high = 0, None
    for message in messages:
        if message.wants is None:
            continue
        m_low, m_high = message.wants
        low = max(low, m_low)
        if m_high is not None:
            high = m_high if high is None else min(high, m_high)
    return low, high


@given(plans())
def test_no_row_gets_messages_that_no_number_of_holders_can_satisfy(plan):
    people, rows, authorized, has_tablets = plan
    staying = {10_001 + i: PersonInfo(f"Reste {i}") for i in range(6)}
    everyone = {**people, **staying}

    result = check_plan(
        missions=SPECS, rows=rows, people=everyone, authorized_actions=authorized, has_tablets=has_tablets
    )

    for row in rows:
        messages = result.row_messages.get(row.key, [])
        low, high = _wanted_range(messages)
        assert high is None or low <= high, (row, [m.text for m in messages])
        if not messages:
            continue

        def messages_with(count, row=row):
            replaced = RowState(
                key=row.key,
                mission_code=row.mission_code,
                holder_ids=frozenset(list(staying)[:count]),
                service_name=row.service_name or "Service",  # naming the service is one of the choices
            )
            others = [r for r in rows if r.key != row.key] + [replaced]
            checked = check_plan(
                missions=SPECS, rows=others, people=everyone, authorized_actions=authorized, has_tablets=has_tablets
            )
            return checked.row_messages.get(row.key, [])

        # Following them is possible: some number they ask for gives a row whose messages accept that number.
        def accepted(count, messages_with=messages_with):
            new_low, new_high = _wanted_range(messages_with(count))
            return new_low <= count and (new_high is None or count <= new_high)

        satisfying = [c for c in range(len(staying) + 1) if low <= c and (high is None or c <= high)]
        assert any(accepted(count) for count in satisfying), (row, [m.text for m in messages])


def test_training_sorts_names_in_french_order_accents_ignored():
    """ "Émilie" sorts with the E (before "Fanny"), not after Z as a byte order puts it."""
    people = {1: PersonInfo("Fanny Adam"), 2: PersonInfo("Émilie Zola"), 3: PersonInfo("Eric Blanc")}
    changes = {code: set() for code in SATISFIED} | {
        "communicate": {1},
        "tools.collectivity_link": {2},
        "tools.ent_admin": {3},
    }
    result = check(changes, people=people)

    assert result.training_ids == [2, 3, 1]
