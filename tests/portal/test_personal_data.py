"""RGPD: a person downloads what RUPN holds about them; staff who left long ago are anonymized, amounts kept."""

import datetime
import json
from io import StringIO

from django.conf import settings
from django.core.management import call_command

from missions.models import PlanRow
from missions.services import plan_get_or_create
from portal.personal_data import ANONYMOUS_NAME, persons_anonymize
from portal.tasks import anonymize_persons
from schools.models import SchoolYear
from tests.factories import PersonFactory


def hold_mission(person, school_year):
    plan = plan_get_or_create(school=person.school, school_year=school_year)
    row = PlanRow.objects.filter(plan=plan).first()
    row.holders.add(person)
    return row


def test_a_person_downloads_everything_held_about_them(client_for, cast):
    referent = cast.referent_a
    hold_mission(cast.referent_person, cast.school_year)
    PersonFactory(school=cast.school_b, email="someone.else@ac-dijon.fr", last_name="Autre")
    response = client_for(referent).get("/mes-donnees/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert 'filename="rupn-mes-donnees.json"' in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["compte"]["adresse_electronique"] == referent.email
    assert [r["etablissement"] for r in data["roles"]] == [cast.school_a.uai]
    assert [(p["nom"], p["plus_en_poste_depuis"]) for p in data["fiches_personnel"]] == [
        (cast.referent_person.last_name, None)
    ]
    assert data["missions"] and data["missions"][0]["annee"] == cast.school_year.name
    assert "Autre" not in response.content.decode()


def test_the_personal_data_page_tells_about_the_export_and_the_anonymization(client_for, cast):
    html = client_for(cast.principal_a).get("/donnees-personnelles/").content.decode()
    assert 'href="/mes-donnees/"' in html
    assert "anonymisation" in html


def test_staff_who_left_long_ago_are_anonymized_and_their_missions_kept(cast):
    old_year = SchoolYear.objects.create(start_year=cast.school_year.start_year - 4)
    gone = PersonFactory(school=cast.school_a, is_active=False, last_name="Ancien", email="ancien@ac-dijon.fr")
    row = hold_mission(gone, old_year)
    recent = PersonFactory(school=cast.school_a, is_active=False, last_name="Recent")
    hold_mission(recent, cast.school_year)
    in_post = PersonFactory(school=cast.school_a, is_active=True, last_name="EnPoste")
    hold_mission(in_post, old_year)
    never = PersonFactory(school=cast.school_a, is_active=False, last_name="SansMission")

    today = datetime.date(cast.school_year.start_year + 1, 9, 1)
    assert persons_anonymize(years=2, today=today) == 1
    gone.refresh_from_db()
    assert (gone.last_name, gone.first_name, gone.email, gone.user_id) == (ANONYMOUS_NAME, "", "", None)
    assert gone in row.holders.all()  # the mission and its amounts stay
    for person, name in ((recent, "Recent"), (in_post, "EnPoste"), (never, "SansMission")):
        person.refresh_from_db()
        assert person.last_name == name
    assert persons_anonymize(years=2, today=today) == 0  # safe to run twice


def test_the_departure_day_counts_before_the_last_missions_year(cast):
    today = datetime.date(cast.school_year.start_year + 1, 9, 1)
    old_year = SchoolYear.objects.create(start_year=cast.school_year.start_year - 6)
    # Left five years ago, never named on a plan: the day they left is enough.
    left_long_ago = PersonFactory(
        school=cast.school_a, is_active=False, last_name="Parti", left_on=today - datetime.timedelta(days=5 * 366)
    )
    # An old mission but left last year: not yet.
    left_last_year = PersonFactory(
        school=cast.school_a, is_active=False, last_name="Reste", left_on=today - datetime.timedelta(days=300)
    )
    hold_mission(left_last_year, old_year)

    assert persons_anonymize(years=2, today=today) == 1
    left_long_ago.refresh_from_db()
    left_last_year.refresh_from_db()
    assert (left_long_ago.last_name, left_last_year.last_name) == (ANONYMOUS_NAME, "Reste")


def test_the_command_and_the_beat_job_anonymize(cast):
    old_year = SchoolYear.objects.create(start_year=cast.school_year.start_year - 10)
    gone = PersonFactory(school=cast.school_a, is_active=False, last_name="Ancien")
    hold_mission(gone, old_year)
    out = StringIO()
    call_command("anonymize_persons", "--annees", "3", stdout=out)
    assert "1 personne(s) anonymisée(s)." in out.getvalue()
    assert anonymize_persons.delay().get() == 0
    assert settings.CELERY_BEAT_SCHEDULE["anonymize-persons"]["task"] == "rupn.tasks.anonymize_persons"
