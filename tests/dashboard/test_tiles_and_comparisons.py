"""The dashboard's key figures as tiles (change from the same date last year, links to the filtered table) and
its comparison tables by département, collectivité and kind of school."""

import datetime
import re

import pytest
from django.utils import timezone

from activity.models import Review
from dashboard import selectors, views
from imp.models import BoardOpinion
from missions.services import plan_get_or_create
from schools.models import SchoolYear
from tests.dashboard.test_dashboard import EXPECTED_QUERIES, hold_every_row, make_schools
from tests.factories import (
    ActivityEntryFactory,
    DepartementFactory,
    EnvelopeFactory,
    ImpAwardFactory,
    PersonFactory,
    ReviewFactory,
    SchoolFactory,
)


def tile(html: str, key: str) -> str:
    start = html.index(f'id="tile-{key}"')
    return html[start : html.index("</li>", start)]


@pytest.fixture
def last_year(cast):
    return SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year - 1)[0]


def test_tiles_show_each_key_figure_with_its_link_to_the_filtered_table(client_for, cast):
    year = cast.school_year
    plan = plan_get_or_create(school=cast.school_a, school_year=year)
    hold_every_row(plan, [PersonFactory(school=cast.school_a)])
    plan.refresh_from_db()
    BoardOpinion.objects.create(  # given on the plan as it stands
        school=cast.school_a,
        school_year=year,
        body="ca",
        date=datetime.date.today(),
        opinion="favorable",
        plan_version=plan.version,
    )
    ReviewFactory(school=cast.school_b, school_year=year, done=True)
    EnvelopeFactory(school=cast.school_a, school_year=year)
    ImpAwardFactory(school=cast.school_a, school_year=year, validated=True)
    html = client_for(cast.dane).get("/dane/").content.decode()
    name = year.name
    assert f'href="/dane/etablissements/?annee={name}&amp;plan_state=ca_opinion">Plans passés en CA' in html
    assert '<strong class="fr-h5">1</strong><br>sur 2 établissements' in tile(html, "state_ca_opinion")
    assert f"annee={name}&amp;rules_ok=on" in tile(html, "all_ok")
    assert f"annee={name}&amp;no_referent=on" in tile(html, "no_referent")
    assert '<strong class="fr-h5">1</strong>' in tile(html, "no_referent")
    assert f"annee={name}&amp;review_done=on" in tile(html, "reviews_done")
    assert f"annee={name}&amp;imp_validated=on" in tile(html, "imp_validated")
    assert f"annee={name}&amp;sort=-hours" in tile(html, "minutes")
    assert "pas de chiffres l&#x27;année précédente" in tile(html, "minutes")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"rules_ok": "on"}, "a"),
        ({"no_referent": "on"}, "b"),
        ({"review_done": "on"}, "b"),
        ({"imp_validated": "on"}, "a"),
        ({"plan_state": "ca_opinion"}, "a"),
    ],
)
def test_the_tiles_filters_select_their_schools(client_for, cast, filters, expected):
    year = cast.school_year
    plan = plan_get_or_create(school=cast.school_a, school_year=year)
    hold_every_row(plan, [PersonFactory(school=cast.school_a)])
    plan.refresh_from_db()
    BoardOpinion.objects.create(  # given on the plan as it stands
        school=cast.school_a,
        school_year=year,
        body="ca",
        date=datetime.date.today(),
        opinion="favorable",
        plan_version=plan.version,
    )
    ReviewFactory(school=cast.school_b, school_year=year, done=True)
    ImpAwardFactory(school=cast.school_a, school_year=year, validated=True)
    html = client_for(cast.dane).get("/dane/etablissements/", filters).content.decode()
    wanted, other = (cast.school_a, cast.school_b) if expected == "a" else (cast.school_b, cast.school_a)
    assert wanted.uai in html and other.uai not in html


def test_the_change_compares_with_last_year_up_to_the_same_date(client_for, cast, last_year):
    today = timezone.localdate()
    compared_on = views.same_day_last_year(today)
    person = PersonFactory(school=cast.school_a)
    ActivityEntryFactory(person=person, minutes=60, date=compared_on)  # counted: that very day
    ActivityEntryFactory(person=person, minutes=600, date=compared_on + datetime.timedelta(days=1))  # later on
    ActivityEntryFactory(person=person, minutes=180, date=cast.school_year.start_date)  # this year: 3 h
    done_late = ReviewFactory(school=cast.school_a, school_year=last_year, done=True)
    Review.objects.filter(pk=done_late.pk).update(done_at=timezone.now() - datetime.timedelta(days=1))
    ReviewFactory(school=cast.school_b, school_year=last_year, done=True)
    Review.objects.filter(school=cast.school_b).update(done_at=timezone.now() - datetime.timedelta(days=400))
    total = selectors.figures([cast.dijon.pk], last_year, until=compared_on)["total"]
    assert (total["minutes"], total["reviews_done"]) == (60, 1)
    html = client_for(cast.dane).get("/dane/").content.decode()
    when = f"{compared_on.day if compared_on.day > 1 else '1er'}"
    assert re.search(rf"\+2,0\xa0h par rapport au {when} \w+ {compared_on.year} \(1,0\xa0h\)", tile(html, "minutes"))
    assert "−1 par rapport au" in tile(html, "reviews_done")  # 1 last year at that date, none this year


def test_comparison_tables_link_each_group_to_the_filtered_table(client_for, cast):
    yonne = DepartementFactory(code="89", name="Yonne", academie=cast.dijon)
    SchoolFactory(lycee=True, departement=yonne, collectivity=cast.cd21)
    html = client_for(cast.dane).get("/dane/").content.decode()
    name = cast.school_year.name
    for anchor in ("par-departement", "par-collectivite", "par-type"):
        assert html.count(f'id="{anchor}"') == 1
    assert f'<a href="/dane/etablissements/?annee={name}&amp;departement=89">89 Yonne</a>' in html
    assert f'<a href="/dane/etablissements/?annee={name}&amp;kind=lycee">Lycée général et technologique</a>' in html
    assert f"?annee={name}&amp;collectivity=CD21" in html
    assert 'class="rupn-sortable"' in html and "dashboard/sortable.js" in html


@pytest.mark.parametrize("schools", [10, 200])
def test_the_comparison_with_last_year_is_two_more_statements_whatever_the_number_of_schools(
    client_for, cast, last_year, schools, django_assert_num_queries
):
    make_schools(cast, schools)
    client = client_for(cast.dane)
    client.get("/dane/")  # warm the session
    # last year's figures at the same date (the tiles' change) and over the whole year (the trend)
    with django_assert_num_queries(EXPECTED_QUERIES["/dane/"] + 2):
        assert client.get("/dane/").status_code == 200


def test_the_trend_gives_the_key_figures_of_the_recorded_years_up_to_the_chosen_one(client_for, cast, last_year):
    older = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year - 2)[0]
    SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year - 3)  # beyond the three years shown
    upcoming = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year + 1)[0]
    BoardOpinion.objects.create(
        school=cast.school_a, school_year=last_year, body="ca", date=last_year.start_date, opinion="favorable"
    )
    html = client_for(cast.dane).get("/dane/").content.decode()
    trend = html[html.index('id="evolution"') : html.index('id="table-evolution"')]
    assert [name for name in (older.name, last_year.name, cast.school_year.name) if name in trend] == [
        older.name,
        last_year.name,
        cast.school_year.name,
    ]
    assert upcoming.name not in trend and f"{cast.school_year.start_year - 3}-" not in trend
    assert f'<a href="/dane/etablissements/?annee={last_year.name}&amp;plan_state=ca_opinion">' in trend
    assert "1 / 2 (50 %)" in trend and "0 / 2 (0 %)" in trend
    table = html[html.index('id="table-evolution"') :]
    assert f'<th scope="col">{older.name}</th><th scope="col">{last_year.name}</th>' in table
