"""Points d'étape: scheduling, minutes beside the year's activity, and schools with none done."""

import datetime
import html as htmllib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activity.models import Review
from missions.services import plan_get_or_create
from schools.models import Role
from tests.factories import ActivityEntryFactory, PersonFactory, ReviewFactory, RoleFactory, UserFactory
from tests.utils import extract_form_fields, flat

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


def reviews_url(cast) -> str:
    return reverse("missions:reviews", args=[cast.school_a.uai, cast.school_year.name])


def detail_url(cast, review) -> str:
    return reverse("missions:review_detail", args=[cast.school_a.uai, cast.school_year.name, review.pk])


def a_past_day(cast) -> datetime.date:
    return max(cast.school_year.start_date, timezone.localdate() - datetime.timedelta(days=1))


def test_principal_schedules_a_review_with_its_participants(client_for, cast):
    client = client_for(cast.principal_a)
    data = extract_form_fields(client.get(reviews_url(cast)).content, "schedule-form")
    assert data["principal"] == [str(cast.principal_a.pk)]  # the principal proposes themself
    referents = [cast.referent_person, cast.referent_a2_person]
    assert sorted(data["referents"]) == sorted(str(p.pk) for p in referents)  # the school's referents are ticked
    day = min(timezone.localdate() + datetime.timedelta(days=30), cast.school_year.end_date)
    data.update(date=[day.isoformat()], place=["Salle du conseil"], dane_adviser=[str(cast.dane.pk)])
    response = client.post(reviews_url(cast), flat(data), follow=True)

    review = Review.objects.get()
    assert (review.date, review.principal, review.dane_adviser, review.state) == (
        day,
        cast.principal_a,
        cast.dane,
        Review.State.SCHEDULED,
    )
    assert set(review.referents.all()) == set(referents)
    page = text(response)
    assert "est prévu" in page
    assert "Aucun point d'étape fait cette année ; le prochain est prévu le" in page


def test_dane_schedules_and_is_proposed_as_adviser(client_for, cast):
    client = client_for(cast.dane)
    data = extract_form_fields(client.get(reviews_url(cast)).content, "schedule-form")
    assert data["dane_adviser"] == [str(cast.dane.pk)]
    data["date"] = [cast.school_year.start_date.isoformat()]
    assert client.post(reviews_url(cast), flat(data)).status_code == 302
    assert Review.objects.get().created_by == cast.dane


def test_adviser_from_another_academie_cannot_be_chosen(client_for, cast):
    client = client_for(cast.principal_a)
    data = extract_form_fields(client.get(reviews_url(cast)).content, "schedule-form")
    data.update(date=[cast.school_year.start_date.isoformat()], dane_adviser=[str(cast.dane_other.pk)])
    response = client.post(reviews_url(cast), flat(data))
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_review_date_outside_the_school_year_is_refused(client_for, cast):
    client = client_for(cast.principal_a)
    data = extract_form_fields(client.get(reviews_url(cast)).content, "schedule-form")
    data["date"] = [(cast.school_year.end_date + datetime.timedelta(days=1)).isoformat()]
    response = client.post(reviews_url(cast), flat(data))
    assert response.status_code == 400
    assert "doit tomber dans l'année scolaire" in text(response)


@pytest.mark.parametrize("role", ["referent_a", "rectorat"])
def test_referents_and_rectorat_read_reviews_but_cannot_schedule(client_for, cast, role):
    review = ReviewFactory(school=cast.school_a, school_year=cast.school_year, done=True)
    client = client_for(getattr(cast, role))
    page = text(client.get(detail_url(cast, review)))
    assert "Prise en main de l'ENT par l'équipe de SVT." in page
    assert 'id="minutes-form"' not in page
    assert 'id="schedule-form"' not in text(client.get(reviews_url(cast)))
    assert client.post(reviews_url(cast), {"date": "2026-10-01"}).status_code == 403
    assert client.post(detail_url(cast, review), {"action": "minutes"}).status_code == 403


def test_minutes_are_recorded_beside_the_year_activity_and_the_review_is_done(client_for, cast):
    ActivityEntryFactory(person=cast.referent_person, date=cast.school_year.start_date, minutes=150)
    review = ReviewFactory(school=cast.school_a, school_year=cast.school_year, date=a_past_day(cast))
    client = client_for(cast.principal_a)
    response = client.get(detail_url(cast, review))
    page = text(response)
    assert "Activité déclarée en" in page
    assert "2 h 30 en 1 activité" in page  # the totals beside the minutes
    data = extract_form_fields(response.content, "minutes-form")
    data.update(
        achievements=["ENT ouvert à toutes les classes"],
        difficulties=["Vidéoprojecteurs anciens"],
        decisions=["Un second référent ENT"],
        training_needs=["PAF ENT"],
    )
    assert client.post(detail_url(cast, review), flat(data)).status_code == 302
    review.refresh_from_db()
    assert review.state == Review.State.DONE and review.done_at is not None
    assert (review.achievements, review.training_needs) == ("ENT ouvert à toutes les classes", "PAF ENT")
    school_page = text(client.get(reverse("schools:detail", args=[cast.school_a.uai])))
    assert "Point d'étape de l'année fait le" in school_page


def test_minutes_of_a_future_review_are_refused(client_for, cast):
    future = timezone.localdate() + datetime.timedelta(days=3)
    review = ReviewFactory(school=cast.school_a, school_year=cast.school_year, date=future)
    client = client_for(cast.principal_a)
    data = extract_form_fields(client.get(detail_url(cast, review)).content, "minutes-form")
    data["achievements"] = ["Trop tôt"]
    response = client.post(detail_url(cast, review), flat(data))
    assert response.status_code == 400
    assert "son compte rendu se saisit une fois la rencontre faite" in text(response)
    review.refresh_from_db()
    assert review.state == Review.State.SCHEDULED


def test_empty_minutes_are_refused(client_for, cast):
    review = ReviewFactory(school=cast.school_a, school_year=cast.school_year, date=a_past_day(cast))
    client = client_for(cast.principal_a)
    data = extract_form_fields(client.get(detail_url(cast, review)).content, "minutes-form")
    response = client.post(detail_url(cast, review), flat(data))
    assert response.status_code == 400
    assert "Le compte rendu est vide" in text(response)


def test_two_people_recording_minutes_at_once_both_are_kept(client_for, cast, client):
    # Was: the second was refused, and saving again from that page undid the first one's text.
    review = ReviewFactory(school=cast.school_a, school_year=cast.school_year, date=a_past_day(cast))
    client.force_login(cast.principal_a)
    first = extract_form_fields(client.get(detail_url(cast, review)).content, "minutes-form")
    second = extract_form_fields(client.get(detail_url(cast, review)).content, "minutes-form")
    first["achievements"] = ["Version de la principale"]
    assert client.post(detail_url(cast, review), flat(first)).status_code == 302
    second["decisions"] = ["Décision de la DANE"]
    assert client.post(detail_url(cast, review), flat(second)).status_code == 302
    review.refresh_from_db()
    assert (review.achievements, review.decisions) == ("Version de la principale", "Décision de la DANE")


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_minutes_changed_alike_field_by_both_ask_the_second_and_keep_the_choice(client_for, cast, client, choice):
    review = ReviewFactory(school=cast.school_a, school_year=cast.school_year, date=a_past_day(cast))
    client.force_login(cast.principal_a)
    first = extract_form_fields(client.get(detail_url(cast, review)).content, "minutes-form")
    second = extract_form_fields(client.get(detail_url(cast, review)).content, "minutes-form")
    first["achievements"] = ["Version de la principale"]
    assert client.post(detail_url(cast, review), flat(first)).status_code == 302
    second["achievements"] = ["Version de la DANE"]
    second["training_needs"] = ["Pix"]
    response = client.post(detail_url(cast, review), flat(second))
    assert response.status_code == 409
    page = text(response)
    assert "Votre saisie\xa0: Version de la DANE" in page
    assert "Version de la principale" in page and "Enregistré par" in page
    review.refresh_from_db()
    assert (review.achievements, review.training_needs) == ("Version de la principale", "")
    again = extract_form_fields(response.content, "minutes-form") | {"keep::achievements": [choice]}
    assert client.post(detail_url(cast, review), flat(again)).status_code == 302
    review.refresh_from_db()
    expected = "Version de la DANE" if choice == "mine" else "Version de la principale"
    assert (review.achievements, review.training_needs) == (expected, "Pix")


def test_two_people_rescheduling_at_once_keep_both_changes(client_for, cast, client):
    review = ReviewFactory(school=cast.school_a, school_year=cast.school_year, date=cast.school_year.end_date)
    client.force_login(cast.principal_a)
    first = extract_form_fields(client.get(detail_url(cast, review)).content, "schedule-form")
    second = extract_form_fields(client.get(detail_url(cast, review)).content, "schedule-form")
    first["place"] = ["Salle du conseil"]
    assert client.post(detail_url(cast, review), flat(first)).status_code == 302
    day = cast.school_year.end_date - datetime.timedelta(days=1)
    second["date"] = [day.isoformat()]
    assert client.post(detail_url(cast, review), flat(second)).status_code == 302
    review.refresh_from_db()
    assert (review.place, review.date) == ("Salle du conseil", day)


def test_reschedule_and_delete_a_scheduled_review_but_never_a_done_one(client_for, cast):
    review = ReviewFactory(school=cast.school_a, school_year=cast.school_year)
    client = client_for(cast.principal_a)
    data = extract_form_fields(client.get(detail_url(cast, review)).content, "schedule-form")
    new_day = cast.school_year.start_date + datetime.timedelta(days=100)
    data["date"] = [new_day.isoformat()]
    assert client.post(detail_url(cast, review), flat(data)).status_code == 302
    review.refresh_from_db()
    assert review.date == new_day

    done = ReviewFactory(school=cast.school_a, school_year=cast.school_year, done=True)
    delete = reverse("missions:review_delete", args=[cast.school_a.uai, cast.school_year.name, done.pk])
    assert "son compte rendu est conservé" in text(client.post(delete, follow=True))
    assert Review.objects.filter(pk=done.pk).exists()
    delete = reverse("missions:review_delete", args=[cast.school_a.uai, cast.school_year.name, review.pk])
    client.post(delete)
    assert not Review.objects.filter(pk=review.pk).exists()


def test_review_of_another_school_is_a_404_even_through_ones_own_school(client_for, cast):
    other = ReviewFactory(school=cast.school_b, school_year=cast.school_year)
    assert client_for(cast.principal_a).get(detail_url(cast, other)).status_code == 404


def test_school_without_review_done_shows_on_its_page_and_in_the_dane_list(client_for, cast):
    school_page = text(client_for(cast.principal_a).get(reverse("schools:detail", args=[cast.school_a.uai])))
    assert "Aucun point d'étape fait cette année, et aucun n'est prévu." in school_page

    dane_list = client_for(cast.dane).get(reverse("missions:dane_reviews"))
    assert [s.uai for s in dane_list.context["page"]] == [cast.school_a.uai, cast.school_b.uai]
    ReviewFactory(school=cast.school_a, school_year=cast.school_year, done=True)
    dane_list = client_for(cast.dane).get(reverse("missions:dane_reviews"))
    assert [s.uai for s in dane_list.context["page"]] == [cast.school_b.uai]
    assert "1 établissement sans point d'étape fait" in text(dane_list)
    everyone = client_for(cast.dane).get(reverse("missions:dane_reviews"), {"tous": "1"})
    assert len(everyone.context["page"]) == 2
    assert "Fait le" in text(everyone)


def test_collectivity_sees_no_review_section_on_the_school_page(client_for, cast):
    page = text(client_for(cast.collectivity_a).get(reverse("schools:detail", args=[cast.school_a.uai])))
    assert "Points d'étape" not in page


# --- query counts --------------------------------------------------------------------------------------------


def count_queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def populate(cast, size: int) -> Review:
    """size reviews of school A, each with referents, and entries of as many referents."""
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    people = [PersonFactory(school=cast.school_a) for _ in range(size)]
    plan.rows.get(mission__code="support_teams").holders.set(people)
    for person in people:
        account = UserFactory()
        RoleFactory(user=account, kind=Role.Kind.REFERENT, school=cast.school_a)
        ActivityEntryFactory(person=person, date=cast.school_year.start_date)
    reviews = [ReviewFactory(school=cast.school_a, school_year=cast.school_year) for _ in range(size)]
    for review in reviews:
        review.referents.set(people)
    return reviews[0]


@pytest.mark.parametrize("size", [2, 30])
def test_reviews_page_query_count_does_not_grow(client_for, cast, size):
    populate(cast, size)
    assert count_queries(client_for(cast.principal_a), reviews_url(cast)) == EXPECTED_REVIEWS_QUERIES


@pytest.mark.parametrize("size", [2, 30])
def test_review_detail_query_count_does_not_grow(client_for, cast, size):
    review = populate(cast, size)
    assert count_queries(client_for(cast.principal_a), detail_url(cast, review)) == EXPECTED_REVIEW_DETAIL_QUERIES


@pytest.mark.parametrize("size", [2, 30])
def test_dane_reviews_query_count_does_not_grow(client_for, cast, size):
    from tests.factories import SchoolFactory

    for _index in range(size):
        ReviewFactory(school=SchoolFactory(departement=cast.school_a.departement), school_year=cast.school_year)
    assert count_queries(client_for(cast.dane), reverse("missions:dane_reviews")) == EXPECTED_DANE_REVIEWS_QUERIES


EXPECTED_REVIEWS_QUERIES = 15  # +1: the header (roles and schools)
EXPECTED_REVIEW_DETAIL_QUERIES = 15  # +1: the header (roles and schools)
EXPECTED_DANE_REVIEWS_QUERIES = 8  # +1: the header (roles and schools)


def test_a_past_review_without_minutes_is_shown_as_waiting_for_them(client_for, cast):
    ReviewFactory(school=cast.school_a, school_year=cast.school_year, date=a_past_day(cast))
    page = text(client_for(cast.referent_a).get(reverse("schools:detail", args=[cast.school_a.uai])))
    assert "attend son compte rendu" in page
