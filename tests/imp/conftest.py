"""What the IMP tests share: an envelope for school A, eligible staff, and a shortcut to make awards."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from imp import services
from imp.models import BoardOpinion
from tests.factories import EnvelopeFactory, PersonFactory, UserFactory


@pytest.fixture
def imp(cast):
    """school A's envelope (3 750 €) and staff: the referent, Alice (teacher), Bruno (teacher), a CPE, others."""
    envelope = EnvelopeFactory(school=cast.school_a, school_year=cast.school_year, amount=Decimal("3750.00"))
    staff = SimpleNamespace(
        romain=cast.referent_person,
        alice=PersonFactory(school=cast.school_a, last_name="Dupont", first_name="Alice"),
        bruno=PersonFactory(school=cast.school_a, last_name="Durand", first_name="Bruno"),
        cpe=PersonFactory(school=cast.school_a, last_name="Petit", first_name="Jean", cpe=True),
        cpge=PersonFactory(school=cast.school_a, last_name="Leroy", first_name="Paul", cpge=True),
        secretary=PersonFactory(school=cast.school_a, last_name="Roux", first_name="Anne", status="autre"),
        other_school=PersonFactory(school=cast.school_b, last_name="Blanc", first_name="Luc"),
    )
    return SimpleNamespace(envelope=envelope, staff=staff, year=cast.school_year, school=cast.school_a)


@pytest.fixture
def make_award(cast, imp):
    def make(person=None, amount="1250", *, state="draft", **kwargs):
        award = services.award_create(
            school=cast.school_a,
            school_year=cast.school_year,
            person=person or imp.staff.romain,
            amount=Decimal(amount),
            whole_year=kwargs.pop("whole_year", True),
            by=cast.principal_a,
            **kwargs,
        )
        steps = ["proposed", "accepted", "validated", "paying"]
        for step in steps[: steps.index(state) + 1] if state in steps else []:
            if step == "proposed":
                award = services.award_propose(award=award, by=cast.principal_a)
            elif step == "accepted":
                if award.person.user is None:
                    award.person.user = UserFactory(email=award.person.email)
                    award.person.save(update_fields=["user"])
                award = services.award_accept(award=award, expected_version=award.version, by=award.person.user)
            elif step == "validated":
                record_opinions(cast)
                award = services.award_validate(award=award, by=cast.rectorat)
            elif step == "paying":
                award = services.award_start_payment(award=award, by=cast.rectorat)
        return award

    return make


def record_opinions(cast, school=None):
    today = timezone.localdate()
    school = school or cast.school_a
    if not BoardOpinion.objects.filter(school=school, school_year=cast.school_year).exists():
        services.opinion_record(
            school=school,
            school_year=cast.school_year,
            body="cp",
            date=today - datetime.timedelta(days=10),
            opinion="favorable",
            by=cast.principal_a,
        )
        services.opinion_record(
            school=school,
            school_year=cast.school_year,
            body="ca",
            date=today - datetime.timedelta(days=3),
            opinion="favorable",
            votes_for=18,
            votes_against=2,
            votes_abstention=1,
            by=cast.principal_a,
        )
