"""The i-prof text ("compétence – TICE") from a record: worked examples of the pure builder."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recognition.iprof import Holding, iprof_text, period_phrase, periods, school_phrase

MAIN = ("support_teams", "tools.ent_admin", "tools.collectivity_link", "training")


def held(year, *, school="A", name="Collège Les Lentillères", kind="college", missions=MAIN, services=()):
    return Holding(
        school_key=school,
        school_name=name,
        school_kind=kind,
        start_year=year,
        mission_codes=missions,
        services=services,
    )


def test_one_school_three_consecutive_years_make_one_period_and_the_seed_example():
    text = iprof_text([held(2024), held(2025), held(2026)])
    assert text == (
        "Référent numérique (RUPN) au collège Les Lentillères de 2024 à 2027 : accompagnement de l'équipe "
        "pédagogique, lien avec la collectivité, administration de l'ENT."
    )


def test_a_single_year_reads_en_2026_2027():
    assert iprof_text([held(2026, missions=("communicate",))]) == (
        "Référent numérique (RUPN) au collège Les Lentillères en 2026-2027 : contact de la DANE."
    )


def test_a_gap_in_the_years_makes_two_periods_in_one_sentence():
    text = iprof_text([held(2019), held(2020), held(2023, missions=("tools.website",))])
    assert text.startswith("Référent numérique (RUPN) au collège Les Lentillères de 2019 à 2021 puis en 2023-2024 : ")
    assert text.endswith("administration de l'ENT, animation du site web.")  # the missions of every period


def test_two_schools_make_two_sentences_in_the_order_of_their_first_year():
    text = iprof_text(
        [
            held(2025, school="B", name="Carnot", kind="lycee", missions=("tools.tickets",)),
            held(2022),
            held(2023),
            held(2024),
        ]
    )
    assert text == (
        "Référent numérique (RUPN) au collège Les Lentillères de 2022 à 2025 : accompagnement de l'équipe "
        "pédagogique, lien avec la collectivité, administration de l'ENT. "
        "Référent numérique (RUPN) au lycée Carnot en 2025-2026 : remontée des tickets de dysfonctionnement."
    )


def test_services_are_named_and_unknown_missions_keep_their_label():
    holding = Holding(
        school_key="A",
        school_name="Lycée Montchapet",
        school_kind="lycee",
        start_year=2026,
        mission_codes=("tools.services", "robotics"),
        mission_labels={"robotics": "Animer le club robotique"},
        services=("BRNE", "Pearltrees"),
    )
    assert iprof_text([holding]) == (
        "Référent numérique (RUPN) au lycée Montchapet en 2026-2027 : administration des services pédagogiques "
        "(BRNE, Pearltrees), animer le club robotique."
    )


def test_nothing_held_gives_no_text():
    assert iprof_text([]) == ""


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("Collège Les Lentillères", "college", "au collège Les Lentillères"),
        ("Lycée Carnot", "lycee", "au lycée Carnot"),
        ("Carnot", "lycee_pro", "au lycée professionnel Carnot"),
        ("de Dijon", "erea", "à l'EREA de Dijon"),
        ("Cité scolaire Pontus de Tyard", "lycee", "à la cité scolaire Pontus de Tyard"),
    ],
)
def test_school_phrase(name, kind, expected):
    assert school_phrase(name, kind) == expected


def test_three_periods_are_listed_with_puis_before_the_last():
    assert period_phrase(periods({2015, 2017, 2018, 2021})) == "en 2015-2016, de 2017 à 2019 puis en 2021-2022"


@given(st.sets(st.integers(min_value=2000, max_value=2060), min_size=1, max_size=15))
def test_periods_cover_every_year_once_and_never_touch(years):
    runs = periods(years)
    covered = [year for first, last in runs for year in range(first, last + 1)]
    assert covered == sorted(years)
    assert all(next_first > last + 1 for (_f, last), (next_first, _l) in zip(runs, runs[1:], strict=False))
