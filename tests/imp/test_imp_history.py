"""The audit of IMP awards and envelopes: every change path leaves a history row with who and what."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from imp import services
from imp.models import AwardEvent, Envelope, EnvelopeChange, ImpAward
from missions.models import PlanRow
from missions.services import plan_get_or_create
from portal.personal_data import persons_anonymize
from schools.models import Person, SchoolYear

pytestmark = pytest.mark.django_db


def events_of(award):
    return list(AwardEvent.objects.filter(award=award).order_by("at", "pk"))


def changes_of(envelope):
    return list(EnvelopeChange.objects.filter(envelope=envelope).order_by("changed_at", "pk"))


def test_awards_and_envelopes_have_one_history_each_their_own():
    assert not hasattr(ImpAward, "history") and not hasattr(Envelope, "history")


def test_creating_and_changing_an_award_records_the_principal_each_time(cast, imp, make_award):
    award = make_award(imp.staff.alice, "1250")
    award = services.award_update(
        award=award,
        expected_version=award.version,
        person=imp.staff.alice,
        amount=D("2500"),
        whole_year=True,
        by=cast.principal_a,
    )
    created, changed = events_of(award)
    assert (created.kind, created.by) == (AwardEvent.Kind.CREATED, cast.principal_a)
    assert {"field": "État", "before": "", "after": "Brouillon"} in created.changes
    assert (changed.kind, changed.by) == (AwardEvent.Kind.UPDATED, cast.principal_a)
    assert [c["field"] for c in changed.changes] == ["Taux"]


def test_validating_an_award_records_the_rectorat_user(cast, imp, make_award):
    award = make_award(imp.staff.alice, state="validated")
    assert [(e.kind, e.by) for e in events_of(award)] == [
        (AwardEvent.Kind.CREATED, cast.principal_a),
        (AwardEvent.Kind.PROPOSED, cast.principal_a),
        (AwardEvent.Kind.ACCEPTED, award.person.user),
        (AwardEvent.Kind.VALIDATED, cast.rectorat),
    ]
    assert [c["field"] for c in events_of(award)[-1].changes] == ["État"]


def test_declaring_the_service_done_records_the_dates(cast, imp, make_award):
    award = make_award(imp.staff.alice, state="paying")
    today = timezone.localdate()
    services.award_declare_service_done(award=award, done_on=today, ended_on=today, by=cast.principal_a)
    last = events_of(award)[-1]
    assert (last.kind, last.by) == (AwardEvent.Kind.CLOSED, cast.principal_a)
    assert today.strftime("%d/%m/%Y") in last.note
    award.refresh_from_db()
    assert (award.state, award.service_done_on, award.ended_on) == ("closed", today, today)


def test_setting_an_envelope_records_the_rectorat_user_and_the_amounts(cast):
    services.envelope_set(school=cast.school_b, school_year=cast.school_year, amount=D("2500"), by=cast.rectorat)
    envelope = services.envelope_set(
        school=cast.school_b, school_year=cast.school_year, amount=D("3750"), by=cast.rectorat
    )
    assert [(c.before, c.after, c.changed_by) for c in changes_of(envelope)] == [
        (None, D("2500.00"), cast.rectorat),
        (D("2500.00"), D("3750.00"), cast.rectorat),
    ]


def test_an_envelope_import_records_each_envelope(cast, imp):
    data = f"uai;montant\n{cast.school_a.uai};3 000\n{cast.school_b.uai};2 500,00 €\n".encode()
    services.envelope_import(academie_ids={cast.dijon.pk}, school_year=cast.school_year, data=data, by=cast.rectorat)
    for school, amount in ((cast.school_a, D("3000.00")), (cast.school_b, D("2500.00"))):
        last = changes_of(Envelope.objects.get(school=school, school_year=cast.school_year))[-1]
        assert (last.after, last.source, last.changed_by) == (amount, EnvelopeChange.Source.IMPORT, cast.rectorat)


def test_anonymizing_a_person_blanks_their_name_in_the_award_history_too(cast, imp, make_award):
    alice = imp.staff.alice
    Person.objects.filter(pk=alice.pk).update(first_name="Aliénor")  # an accent: JSON text may escape it
    alice.refresh_from_db()
    award = make_award(alice, "1250")
    services.award_update(
        award=award,
        expected_version=award.version,
        person=imp.staff.bruno,
        amount=D("1250"),
        whole_year=True,
        by=cast.principal_a,
    )
    mentions = [e for e in AwardEvent.objects.order_by("pk") if "Aliénor Dupont" in str(e.changes)]
    assert len(mentions) == 2  # created, then replaced by Bruno
    last_year = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year - 3)[0]
    plan = plan_get_or_create(school=cast.school_a, school_year=last_year)
    PlanRow.objects.filter(plan=plan).first().holders.add(alice)
    Person.objects.filter(pk=alice.pk).update(is_active=False)

    assert persons_anonymize(years=2) == 1
    texts = [str(e.changes) for e in AwardEvent.objects.order_by("pk")]
    assert not any("Aliénor" in text for text in texts)
    assert any("Bruno Durand" in text for text in texts)  # the others keep theirs
