"""The referents' activity log: logging in a few seconds, filters, totals, CSV, and who sees what."""

import csv
import datetime
import html as htmllib
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from activity.models import ActivityEntry
from missions.models import Mission
from missions.services import plan_get_or_create
from rupn.lib.durations import parse_duration
from rupn.lib.formats import format_duration
from schools.models import Role
from tests.factories import ActivityEntryFactory, PersonFactory, RoleFactory, UserFactory
from tests.utils import extract_form_fields, flat

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


def mission(code: str) -> Mission:
    return Mission.objects.get(code=code)


def in_year(school_year, month: int, day: int = 10) -> datetime.date:
    return datetime.date(school_year.start_year + (month < 9), month, day)


# --- durations ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("1 h 30", 90),
        ("1h30", 90),
        ("2h", 120),
        ("2 heures", 120),
        ("1 h 30 min", 90),
        ("45 min", 45),
        ("90 min", 90),
        ("45", 45),  # a bare number above 12 is minutes
        ("2", 120),  # up to 12, hours
        ("1,5", 90),
        ("0,25", 15),
        ("1.75", 105),
        (" 1  H 05 ", 65),
    ],
)
def test_typed_durations_are_read_as_minutes(typed, minutes):
    assert parse_duration(typed) == minutes


@pytest.mark.parametrize("typed", ["", "abc", "1h75", "h30", "1,5,2", "-1"])
def test_what_is_not_a_duration_is_refused(typed):
    assert parse_duration(typed) is None


@pytest.mark.parametrize(("minutes", "shown"), [(90, "1 h 30"), (45, "45 min"), (120, "2 h"), (65, "1 h 05")])
def test_durations_show_in_hours_and_minutes(minutes, shown):
    assert format_duration(minutes) == shown


@given(st.integers(min_value=1, max_value=ActivityEntry.MAX_MINUTES))
def test_a_shown_duration_reads_back_as_the_same_minutes(minutes):
    assert parse_duration(format_duration(minutes)) == minutes


# --- the referent's log ----------------------------------------------------------------------------------------


@pytest.fixture
def referent_client(client_for, cast):
    return client_for(cast.referent_a)


def test_referent_logs_an_activity_from_the_rendered_form(referent_client, cast):
    url = reverse("missions:activity")
    data = extract_form_fields(referent_client.get(url).content, "activity-form")
    assert data["date"] == [timezone.localdate().isoformat()]  # today by default
    data.update(
        mission=[str(mission("support_teams").pk)],
        duration=["1 h 30"],
        kind=["accompaniment"],
        description=["Prise en main de l'ENT avec deux collègues"],
    )
    response = referent_client.post(url, flat(data), follow=True)

    entry = ActivityEntry.objects.get()
    assert (entry.person, entry.minutes, entry.kind) == (cast.referent_person, 90, "accompaniment")
    page = text(response)
    assert "Activité enregistrée : 1 h 30" in page
    assert "Prise en main de l'ENT avec deux collègues" in page
    assert "1 h 30 en 1 activité" in page


def test_a_ticket_needs_its_number(referent_client, cast):
    url = reverse("missions:activity")
    data = extract_form_fields(referent_client.get(url).content, "activity-form")
    data.update(
        mission=[str(mission("tools.tickets").pk)], duration=["20 min"], kind=["ticket"], description=["Panne B12"]
    )
    response = referent_client.post(url, flat(data))
    assert response.status_code == 400
    assert "Indiquez le numéro du ticket transmis au prestataire." in text(response)

    data["ticket_number"] = ["CD21-45872"]
    data["ticket_url"] = ["https://support.cotedor.fr/tickets/45872"]
    assert referent_client.post(url, flat(data)).status_code == 302
    entry = ActivityEntry.objects.get()
    assert (entry.ticket_number, entry.ticket_url) == ("CD21-45872", "https://support.cotedor.fr/tickets/45872")
    assert 'Ticket n° <a href="https://support.cotedor.fr/tickets/45872"' in text(referent_client.get(url))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("duration", "beaucoup", "Durée non reconnue"),
        ("duration", "13 h", "entre 1 minute et 12 heures"),
        ("date", "2999-01-01", "La date ne peut pas être dans le futur"),
        ("date", "2020-01-01", "La date doit tomber dans l'année scolaire en cours ou la précédente"),
        ("date", "0001-01-01", "La date doit tomber dans l'année scolaire en cours ou la précédente"),
        ("description", "", "Ce champ est obligatoire"),
    ],
)
def test_wrong_entries_are_answered_beside_the_field_and_nothing_is_saved(referent_client, field, value, message):
    url = reverse("missions:activity")
    data = extract_form_fields(referent_client.get(url).content, "activity-form")
    data.update(mission=[str(mission("communicate").pk)], duration=["1h"], kind=["other"], description=["Lettre"])
    data[field] = [value]
    response = referent_client.post(url, flat(data))
    assert response.status_code == 400
    assert message in text(response)
    assert not ActivityEntry.objects.exists()


def test_own_missions_of_the_year_come_first(referent_client, cast):
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    plan.rows.get(mission__code="tools.website").holders.add(cast.referent_person)
    html = text(referent_client.get(reverse("missions:activity")))
    own = html.index('<optgroup label="Mes missions cette année">')
    others = html.index('<optgroup label="Autres missions">')
    assert own < html.index("Animation du site web") < others
    assert html.index("Accompagner l'équipe pédagogique") > others
    assert "Gérer les outils (par ordre de priorité)" not in html[own:]  # a group is not a mission to log


def test_filters_by_month_and_mission_with_totals_aggregated(referent_client, cast):
    year = cast.school_year
    person = cast.referent_person
    ActivityEntryFactory(person=person, date=in_year(year, 9), minutes=90, mission=mission("support_teams"))
    ActivityEntryFactory(person=person, date=in_year(year, 9, 20), minutes=30, mission=mission("communicate"))
    ActivityEntryFactory(person=person, date=in_year(year, 10), minutes=45, mission=mission("support_teams"))
    ActivityEntryFactory(person=PersonFactory(school=cast.school_a), date=in_year(year, 9), minutes=600)

    page = text(referent_client.get(reverse("missions:activity")))
    assert "2 h 45 en 3 activités" in page  # another person's 10 h are not in this log
    september = referent_client.get(reverse("missions:activity"), {"mois": f"{year.start_year}-09"})
    assert "2 h en 2 activités" in text(september)
    both = referent_client.get(
        reverse("missions:activity"), {"mois": f"{year.start_year}-09", "mission": mission("support_teams").pk}
    )
    assert "1 h 30 en 1 activité" in text(both)

    totals = both.context["totals"]
    assert [(row["mission__label"], row["minutes"]) for row in totals.by_mission] == [
        ("Accompagner l'équipe pédagogique", 90)
    ]
    all_year = referent_client.get(reverse("missions:activity")).context["totals"]
    assert [(row["month"].month, row["minutes"], row["entries"]) for row in all_year.by_month] == [
        (9, 120, 2),
        (10, 45, 1),
    ]
    assert [(row["mission__label"], row["minutes"]) for row in all_year.by_mission] == [
        ("Accompagner l'équipe pédagogique", 135),
        ("Communiquer", 30),
    ]


def test_referent_edits_an_entry_posting_back_the_form(referent_client, cast):
    entry = ActivityEntryFactory(person=cast.referent_person, minutes=60, description="Avant")
    url = reverse("missions:activity_edit", args=[entry.pk])
    data = extract_form_fields(referent_client.get(url).content, "activity-form")
    assert data["duration"] == ["1 h"]
    data["duration"] = ["2 h 15"]
    data["description"] = ["Après"]
    assert referent_client.post(url, flat(data)).status_code == 302
    entry.refresh_from_db()
    assert (entry.minutes, entry.description) == (135, "Après")


def test_referent_deletes_an_entry_after_confirming(referent_client, cast):
    entry = ActivityEntryFactory(person=cast.referent_person)
    url = reverse("missions:activity_delete", args=[entry.pk])
    assert "Supprimer l'activité du" in text(referent_client.get(url))
    assert ActivityEntry.objects.filter(pk=entry.pk).exists()  # GET deletes nothing
    assert referent_client.post(url).status_code == 302
    assert not ActivityEntry.objects.filter(pk=entry.pk).exists()


def test_another_referents_entry_is_a_404(client_for, cast):
    colleague = UserFactory(email="colleague@ac-dijon.fr")
    RoleFactory(user=colleague, kind=Role.Kind.REFERENT, school=cast.school_a)
    PersonFactory(school=cast.school_a, user=colleague, email=colleague.email)
    entry = ActivityEntryFactory(person=cast.referent_person)
    client = client_for(colleague)
    assert client.get(reverse("missions:activity_edit", args=[entry.pk])).status_code == 404
    assert client.post(reverse("missions:activity_delete", args=[entry.pk])).status_code == 404
    assert ActivityEntry.objects.filter(pk=entry.pk).exists()


def test_referent_without_staff_record_is_told_what_to_ask(client_for, cast):
    cast.referent_person.user = None
    cast.referent_person.save()
    page = text(client_for(cast.referent_a).get(reverse("missions:activity")))
    assert "n'est relié à aucune fiche du personnel" in page
    assert 'id="activity-form"' not in page


def test_referent_of_two_schools_chooses_the_school(client_for, cast):
    RoleFactory(user=cast.referent_a, kind=Role.Kind.REFERENT, school=cast.school_b)
    person_b = PersonFactory(school=cast.school_b, user=cast.referent_a, email=cast.referent_a.email)
    client = client_for(cast.referent_a)
    url = reverse("missions:activity")
    data = extract_form_fields(client.get(url).content, "activity-form")
    data.update(
        person=[str(person_b.pk)],
        mission=[str(mission("communicate").pk)],
        duration=["30"],
        kind=["other"],
        description=["Lettre aux familles"],
    )
    assert client.post(url, flat(data)).status_code == 302
    assert ActivityEntry.objects.get().person == person_b


def csv_rows(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_csv_export_opens_in_french_excel_and_follows_the_filters(referent_client, cast):
    year = cast.school_year
    ActivityEntryFactory(
        person=cast.referent_person, date=in_year(year, 9, 8), minutes=90, description='=HYPERLINK("x")'
    )
    ActivityEntryFactory(
        person=cast.referent_person,
        date=in_year(year, 10, 6),
        minutes=20,
        mission=mission("tools.tickets"),
        kind="ticket",
        ticket_number="CD21-1",
        description="Vidéoprojecteur en panne",
    )
    response = referent_client.get(reverse("missions:activity_export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert b"\r\n" in response.content
    header, *rows = csv_rows(response)
    assert header[:3] == ["date", "uai", "établissement"]
    assert rows[0][0] == in_year(year, 10, 6).strftime("%d/%m/%Y")  # newest first
    assert rows[0][5:11] == [
        "Remontée des tickets de dysfonctionnement",
        "Ticket transmis au prestataire de la collectivité",
        "20 min",
        "0,33",
        "20",
        "CD21-1",
    ]
    assert rows[1][7:10] == ["1 h 30", "1,50", "90"]
    assert rows[1][-1] == '\'=HYPERLINK("x")'  # never a formula in a spreadsheet

    october = referent_client.get(reverse("missions:activity_export"), {"mois": f"{year.start_year}-10"})
    assert len(csv_rows(october)) == 2


# --- the principal's view and the DANE's totals ---------------------------------------------------------------


def test_principal_sees_the_school_referents_log_and_not_other_schools(client_for, cast):
    ActivityEntryFactory(person=cast.referent_person, minutes=90, description="Atelier ENT en 6e")
    ActivityEntryFactory(person=PersonFactory(school=cast.school_b), minutes=30, description="Autre collège")
    url = reverse("missions:school_activity", args=[cast.school_a.uai, cast.school_year.name])
    response = client_for(cast.principal_a).get(url)
    page = text(response)
    assert "Atelier ENT en 6e" in page
    assert "Romain Référent" in page
    assert "Autre collège" not in page
    assert "1 h 30 en 1 activité" in page
    assert [row["minutes"] for row in response.context["totals"].by_person] == [90]
    export = client_for(cast.principal_a).get(
        reverse("missions:school_activity_export", args=[cast.school_a.uai, cast.school_year.name])
    )
    assert [row[-1] for row in csv_rows(export)[1:]] == ["Atelier ENT en 6e"]


def test_principal_filters_the_school_log_by_referent(client_for, cast):
    other = PersonFactory(school=cast.school_a, first_name="Alice", last_name="Dupont")
    ActivityEntryFactory(person=cast.referent_person, description="Romain")
    ActivityEntryFactory(person=other, description="Alice")
    url = reverse("missions:school_activity", args=[cast.school_a.uai, cast.school_year.name])
    page = text(client_for(cast.principal_a).get(url, {"personne": other.pk}))
    assert "<td>Alice</td>" in page
    assert "<td>Romain</td>" not in page


def test_dane_sees_totals_per_school_of_its_academie_only(client_for, cast):
    ActivityEntryFactory(person=cast.referent_person, minutes=90)
    ActivityEntryFactory(person=cast.referent_person, minutes=30)
    ActivityEntryFactory(person=PersonFactory(school=cast.school_c), minutes=600)
    response = client_for(cast.dane).get(reverse("missions:dane_activity"))
    schools = {school.uai: school for school in response.context["page"]}
    assert set(schools) == {cast.school_a.uai, cast.school_b.uai}
    assert (schools[cast.school_a.uai].activity_minutes, schools[cast.school_a.uai].activity_entries) == (120, 2)
    assert schools[cast.school_b.uai].activity_minutes == 0
    assert "Durée déclarée : 2 h" in text(response)
    other = client_for(cast.dane_other).get(reverse("missions:dane_activity"))
    assert [s.uai for s in other.context["page"]] == [cast.school_c.uai]


# --- query counts --------------------------------------------------------------------------------------------


def count_queries(client, url) -> int:
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("size", [3, 60])
def test_activity_log_query_count_does_not_grow_with_entries(client_for, cast, size):
    for index in range(size):
        ActivityEntryFactory(person=cast.referent_person, date=cast.school_year.start_date, minutes=10 + index)
    assert count_queries(client_for(cast.referent_a), reverse("missions:activity")) == EXPECTED_ACTIVITY_QUERIES


@pytest.mark.parametrize("size", [3, 60])
def test_school_log_query_count_does_not_grow_with_entries_or_referents(client_for, cast, size):
    for index in range(size):
        person = PersonFactory(school=cast.school_a) if index % 3 else cast.referent_person
        ActivityEntryFactory(person=person, date=cast.school_year.start_date)
    url = reverse("missions:school_activity", args=[cast.school_a.uai, cast.school_year.name])
    assert count_queries(client_for(cast.principal_a), url) == EXPECTED_SCHOOL_LOG_QUERIES


@pytest.mark.parametrize("size", [2, 40])
def test_dane_activity_query_count_does_not_grow_with_schools(client_for, cast, size):
    from tests.factories import SchoolFactory

    for _index in range(size):
        school = SchoolFactory(departement=cast.school_a.departement, collectivity=cast.cd21)
        ActivityEntryFactory(person=PersonFactory(school=school))
    assert count_queries(client_for(cast.dane), reverse("missions:dane_activity")) == EXPECTED_DANE_QUERIES


EXPECTED_ACTIVITY_QUERIES = 14  # +1: the header (roles and schools); the missions come from the kept catalogue
EXPECTED_SCHOOL_LOG_QUERIES = 12  # +1: the header (roles and schools); the missions come from the kept catalogue
EXPECTED_DANE_QUERIES = 9  # +1: the header (roles and schools)


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        ("referent_a", ["Mon activité", "Événements de la DANE", "Mes rappels"], ["Activité des établissements"]),
        ("dane", ["Activité des établissements", "Points d'étape des établissements"], ["Mon activité"]),
        ("principal_a", ["Événements de la DANE", "Mes rappels"], ["Mon activité", "Activité des établissements"]),
    ],
)
def test_the_network_menu_offers_each_role_its_pages(client_for, cast, role, present, absent):
    page = text(client_for(getattr(cast, role)).get(reverse("missions:events")))
    menu = page.split('id="menu-network"')[1].split("</ul>")[0]
    assert all(f">{label}</a>" in menu for label in present)
    assert not any(f">{label}</a>" in menu for label in absent)
