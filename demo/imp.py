"""The IMP part of the demo (called by demo.loader.load_demo): envelopes, opinions and a few awards.

Like the rest of the demo it creates only what is missing and goes through the services, so a second run
creates nothing. The demo school's referent finds an IMP to accept at /mes-imp/; the CP and CA opinions are
recorded, so that the rectorat can then validate it from its queue.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from imp import services
from imp.models import BoardOpinion, Envelope, ImpAward
from imp.rules import eligibility_problem
from schools.models import Person, School, SchoolYear

ENVELOPES = {School.Kind.COLLEGE: Decimal("2500.00")}
DEFAULT_ENVELOPE = Decimal("3750.00")


def load_imp_demo(
    *, schools: list[School], demo_school: School, year: SchoolYear, principal, rectorat, referent_person, created
) -> None:
    with_envelope = set(Envelope.objects.filter(school_year=year).values_list("school_id", flat=True).order_by())
    created["enveloppes IMP"] = 0
    for school in sorted(schools, key=lambda s: s.uai):
        if school.pk not in with_envelope:
            amount = DEFAULT_ENVELOPE if school == demo_school else ENVELOPES.get(school.kind, DEFAULT_ENVELOPE)
            services.envelope_set(school=school, school_year=year, amount=amount, by=rectorat)
            created["enveloppes IMP"] += 1

    today = timezone.localdate()
    recorded = set(
        BoardOpinion.objects.filter(school=demo_school, school_year=year).values_list("body", flat=True).order_by()
    )
    created["avis CP/CA"] = 0
    for body, day in (("cp", datetime.date(year.start_year, 5, 12)), ("ca", datetime.date(year.start_year, 6, 4))):
        if body not in recorded:
            services.opinion_record(
                school=demo_school,
                school_year=year,
                body=body,
                date=min(day, today),
                opinion=BoardOpinion.Opinion.FAVORABLE,
                votes_for=17 if body == "ca" else None,
                votes_against=2 if body == "ca" else None,
                votes_abstention=1 if body == "ca" else None,
                deliberation_number=f"{year.start_year}-14" if body == "ca" else "",
                by=principal,
            )
            created["avis CP/CA"] += 1

    created["IMP"] = 0
    if ImpAward.objects.filter(school=demo_school, school_year=year).exists():
        return
    proposed = services.award_create(
        school=demo_school,
        school_year=year,
        person=referent_person,
        amount=Decimal("1250"),
        whole_year=True,
        by=principal,
    )
    services.award_propose(award=proposed, by=principal)
    other = next(
        person
        for person in Person.objects.filter(school=demo_school).exclude(pk=referent_person.pk).order_by("pk")
        if eligibility_problem(person) is None and not person.leaving
    )
    services.award_create(
        school=demo_school, school_year=year, person=other, amount=Decimal("625"), whole_year=True, by=principal
    )
    created["IMP"] = 2
