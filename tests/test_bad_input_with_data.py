"""Bad input into the forms that appear only with data (the pages in PAGES_WITHOUT_FORMS of test_bad_input.py
whose forms need an award proposed, awards waiting, an upcoming event, last year's plan, a request sent, a valid
reset link): the data is made, the page opened as the role that answers, and its forms posted back with
generated values — no 500, no script rendered, nothing changed at another school (or another académie)."""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from events.models import EventRegistration
from imp.models import ImpAward
from missions.services import plan_get_or_create
from schools.models import EquipmentRequest, SchoolYear
from tests.factories import (
    EnvelopeFactory,
    EquipmentRequestFactory,
    EventFactory,
    ImpAwardFactory,
    PersonFactory,
)
from tests.imp.conftest import record_opinions
from tests.test_bad_input import PAGES_WITHOUT_FORMS, other_school_snapshot, page_forms, post_generated_values


@dataclass
class Scenario:
    url: str
    user: object  # None: anonymous
    foreign: list[QuerySet] = field(default_factory=list)  # rows out of the user's reach: must not change
    foreign_ids: list[str] = field(default_factory=list)


def award_proposed(cast) -> Scenario:
    """The referent's IMP page, with an award proposed to them: accept or decline it."""
    EnvelopeFactory(school=cast.school_a, school_year=cast.school_year)
    ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, person=cast.referent_person, proposed=True)
    other = ImpAwardFactory(school=cast.school_b, school_year=cast.school_year, proposed=True)
    return Scenario(reverse("imp:mine"), cast.referent_a, [ImpAward.objects.filter(pk=other.pk)], [str(other.pk)])


def awards_waiting(cast) -> Scenario:
    """The rectorat's queue, with an accepted award after the CA's opinion: validate or reject it."""
    EnvelopeFactory(school=cast.school_a, school_year=cast.school_year)
    ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, person=cast.referent_person, accepted=True)
    record_opinions(cast)
    other = ImpAwardFactory(school=cast.school_c, school_year=cast.school_year, accepted=True)  # another académie
    return Scenario(reverse("imp:queue"), cast.rectorat, [ImpAward.objects.filter(pk=other.pk)], [str(other.pk)])


def upcoming_event(cast) -> Scenario:
    """An upcoming event of the académie, open to the referent's registration."""
    event = EventFactory(academie=cast.dijon)
    other = EventFactory(academie=cast.besancon)
    return Scenario(
        reverse("missions:event_detail", args=[event.pk]),
        cast.referent_a,
        [EventRegistration.objects.filter(event=other)],
        [str(other.pk)],
    )


def last_year_plan(cast) -> Scenario:
    """The rentrée copy of next year, with this year's plan to copy."""
    plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    next_year, _created = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year + 1)
    return Scenario(reverse("missions:plan_rollover", args=[cast.school_a.uai, next_year.name]), cast.principal_a)


def submitted_plan(cast) -> Scenario:
    """The reopen page ("Modifier le plan soumis"), on a plan submitted to the CA."""
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    type(plan).objects.filter(pk=plan.pk).update(state="submitted", submitted_at=timezone.now())
    return Scenario(reverse("missions:plan_reopen", args=[cast.school_a.uai, cast.school_year.name]), cast.principal_a)


def request_sent(cast) -> Scenario:
    """The collectivité's equipment page, with a request sent by one of its schools: answer it."""
    EquipmentRequestFactory(school=cast.school_a, school_year=cast.school_year, sent=True)
    other = EquipmentRequestFactory(school=cast.school_c, school_year=cast.school_year, sent=True)  # CD25's school
    return Scenario(
        reverse("schools:collectivity_equipment", args=[cast.cd21.code, cast.school_year.name]),
        cast.collectivity_a,
        [EquipmentRequest.objects.filter(pk=other.pk)],
        [str(other.pk)],
    )


def reset_link(cast) -> Scenario:
    """The new-password form behind a valid reset link."""
    user = cast.principal_a
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return Scenario(reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)]), None)


SCENARIOS: dict[str, Callable] = {
    "imp:mine": award_proposed,
    "imp:queue": awards_waiting,
    "missions:event_detail": upcoming_event,
    "missions:plan_rollover": last_year_plan,
    "missions:plan_reopen": submitted_plan,
    "schools:collectivity_equipment": request_sent,
    "password_reset_confirm": reset_link,
}


def test_every_page_whose_forms_need_data_is_fuzzed_here():
    assert set(SCENARIOS) <= PAGES_WITHOUT_FORMS


def foreign_snapshot(cast, scenario: Scenario) -> list:
    return [other_school_snapshot(cast), *(list(queryset.values()) for queryset in scenario.foreign)]


@pytest.mark.parametrize("name", SCENARIOS)
def test_forms_that_need_data_survive_generated_values(cast, name):
    scenario = SCENARIOS[name](cast)
    plan_get_or_create(school=cast.school_b, school_year=cast.school_year)
    person_b = PersonFactory(school=cast.school_b, email="b@ac-dijon.fr")
    foreign_ids = [*scenario.foreign_ids, str(person_b.pk), str(cast.school_b.pk), cast.school_b.uai]
    client = Client()
    if scenario.user is not None:
        client.force_login(scenario.user)
    page = client.get(scenario.url, follow=True)  # a reset link redirects to its form
    assert page.status_code == 200
    forms = page_forms(page.content.decode(), page.request["PATH_INFO"])
    assert forms, f"{name}: the data made no form appear"
    before = foreign_snapshot(cast, scenario)
    post_generated_values(client, forms, foreign_ids, max_examples=15)
    assert foreign_snapshot(cast, scenario) == before
