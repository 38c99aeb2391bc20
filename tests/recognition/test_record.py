"""The referent's record ("Mon parcours") and the i-prof text it offers."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from missions.services import plan_get_or_create
from schools.models import SchoolYear
from tests.factories import (
    ActivityEntryFactory,
    EventFactory,
    EventRegistrationFactory,
    ImpAwardFactory,
    PersonFactory,
    ProjectFactory,
    ReviewFactory,
)


def hold(person, school_year, *codes):
    plan = plan_get_or_create(school=person.school, school_year=school_year)
    for code in codes:
        plan.rows.get(mission__code=code).holders.add(person)


def year(start: int) -> SchoolYear:
    return SchoolYear.objects.get_or_create(start_year=start)[0]


def a_full_year(cast, school_year, person=None):
    """Missions, a project, a validated IMP and a proposed one, hours, a point d'étape and an event attended."""
    person = person or cast.referent_person
    hold(person, school_year, "support_teams", "tools.ent_admin")
    project = ProjectFactory(school=person.school, school_year=school_year, title=f"Blog {school_year.name}")
    project.referents.add(person)
    ImpAwardFactory(school=person.school, school_year=school_year, person=person, validated=True)
    ActivityEntryFactory(person=person, date=school_year.start_date + datetime.timedelta(days=40), minutes=90)
    ActivityEntryFactory(person=person, date=school_year.start_date + datetime.timedelta(days=200), minutes=30)
    ReviewFactory(school=person.school, school_year=school_year).referents.add(person)
    moment = timezone.make_aware(datetime.datetime.combine(school_year.start_date, datetime.time(14)))
    event = EventFactory(
        academie=cast.dijon, starts_at=moment + datetime.timedelta(days=100), title=f"PAF {school_year.name}"
    )
    EventRegistrationFactory(event=event, user=person.user, attended=True)


def test_record_shows_each_year_with_missions_projects_imp_hours_reviews_and_events(client_for, cast):
    current = cast.school_year
    last = year(current.start_year - 1)
    a_full_year(cast, last)
    a_full_year(cast, current)
    response = client_for(cast.referent_a).get("/mon-parcours/")
    html = response.content.decode()
    assert html.index(f'id="year-{current.name}"') < html.index(f'id="year-{last.name}"')  # newest first
    section = html[html.index(f'id="year-{last.name}"') :]
    for text in [
        "Collège Les Lentillères",
        "Accompagner l&#x27;équipe pédagogique ; ENT — administrateur",
        f"Blog {last.name}",
        "1\u00a0250,00\u00a0€ — Validée par le rectorat",
        "2 h",
        f"PAF {last.name}",
    ]:
        assert text in section, text
    assert "Référent numérique (RUPN) au collège Les Lentillères de" in html
    assert f"de {last.start_year} à {current.start_year + 1} : accompagnement de l&#x27;équipe pédagogique" in html


def test_record_only_counts_accepted_or_validated_imp(client_for, cast):
    hold(cast.referent_person, cast.school_year, "communicate")
    ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, person=cast.referent_person, proposed=True)
    html = client_for(cast.referent_a).get("/mon-parcours/").content.decode()
    assert "Proposée à l&#x27;intéressé(e)" in html
    assert "acceptée ou validée" not in html


def test_record_spans_two_schools_and_the_text_names_both(client_for, cast):
    other = PersonFactory(school=cast.school_b, user=cast.referent_a, first_name="Romain", last_name="Référent")
    earlier = year(cast.school_year.start_year - 2)
    hold(other, earlier, "tools.website")
    hold(cast.referent_person, cast.school_year, "communicate")
    html = client_for(cast.referent_a).get("/mon-parcours/").content.decode()
    assert f"au collège Marcelle Pardé en {earlier.name} : animation du site web." in html
    assert f"au collège Les Lentillères en {cast.school_year.name} : contact de la DANE." in html


def test_someone_who_held_no_mission_gets_an_empty_state(client_for, cast):
    html = client_for(cast.principal_a).get("/mon-parcours/").content.decode()
    assert 'id="record-empty"' in html
    assert "iprof-text" not in html


def test_another_persons_missions_never_show(client_for, cast):
    stranger = PersonFactory(school=cast.school_a, first_name="Autre", last_name="Personne")
    hold(stranger, cast.school_year, "tools.website")
    html = client_for(cast.referent_a).get("/mon-parcours/").content.decode()
    assert 'id="record-empty"' in html


def test_copy_button_loads_its_script_with_the_nonce_and_works_without_it(client_for, cast):
    hold(cast.referent_person, cast.school_year, "communicate")
    html = client_for(cast.referent_a).get("/mon-parcours/").content.decode()
    assert '<textarea class="fr-input" id="iprof-text"' in html  # select and copy without scripts
    assert '<div id="iprof-copy-wrapper" hidden><button type="button"' in html  # shown by the script only
    assert 'aria-live="polite"' in html
    assert 'src="/static/js/copy-text.js" nonce="' in html


@pytest.mark.parametrize("years", [1, 4])
def test_record_query_count_does_not_grow_with_years(client_for, cast, years):
    for offset in range(years):
        a_full_year(cast, year(cast.school_year.start_year - offset))
    client = client_for(cast.referent_a)
    client.get("/mon-parcours/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/mon-parcours/").status_code == 200
    assert len(queries) == EXPECTED_RECORD_QUERIES, [q["sql"] for q in queries]


EXPECTED_RECORD_QUERIES = 11  # session, user, roles; persons, missions, projects, IMP, hours, reviews, events; header
