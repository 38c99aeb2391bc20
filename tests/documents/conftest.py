"""A filled plan for school A, with accents everywhere, for the document tests."""

import datetime

import pytest

from missions.models import AllocationPlan
from missions.services import plan_get_or_create, plan_submit
from schools.models import AuthorizedAction
from tests.documents.utils import fill_plan
from tests.factories import PersonFactory


@pytest.fixture
def people(cast):
    return {
        "referent": cast.referent_person,
        "helene": PersonFactory(school=cast.school_a, first_name="Hélène", last_name="Bérégovoy"),
        "francois": PersonFactory(school=cast.school_a, first_name="François", last_name="Lefèvre"),
        "zoe": PersonFactory(school=cast.school_a, first_name="Zoé", last_name="Cœurderoy", leaving=True),
    }


@pytest.fixture
def filled_plan(cast, people) -> AllocationPlan:
    """School A's plan for the year, submitted: four people, accents, a leaving holder, two services."""
    AuthorizedAction.objects.create(
        collectivity=cast.cd21,
        school_year=cast.school_year,
        action=AuthorizedAction.Action.AMON,
        convention_reference="Convention n° 2026-14 « Numérique éducatif »",
        convention_date=datetime.date(2026, 6, 30),
    )
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    plan = fill_plan(plan, people, by=cast.principal_a)
    return plan_submit(plan=plan, by=cast.principal_a)
