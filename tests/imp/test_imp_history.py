"""The audit of IMP awards and envelopes: every change path leaves a history row with who and what."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from imp import services
from imp.models import AwardEvent, Envelope, ImpAward
from missions.models import PlanRow
from missions.services import plan_get_or_create
from portal.personal_data import persons_anonymize
from schools.models import Person, SchoolYear

pytestmark = pytest.mark.django_db


def history_of(obj):
    return list(type(obj).history.filter(id=obj.pk).order_by("history_id"))


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
    created, changed = history_of(award)
    assert (created.history_type, created.history_user, created.state) == ("+", cast.principal_a, "draft")
    assert (changed.history_type, changed.history_user) == ("~", cast.principal_a)
    assert changed.diff_against(created).changed_fields == ["rate"]


def test_validating_an_award_records_the_rectorat_user(cast, imp, make_award):
    award = make_award(imp.staff.alice, state="validated")
    records = history_of(award)
    assert [(r.state, r.history_user) for r in records] == [
        ("draft", cast.principal_a),
        ("proposed", cast.principal_a),
        ("accepted", award.person.user),
        ("validated", cast.rectorat),
    ]
    assert records[-1].diff_against(records[-2]).changed_fields == ["state"]


def test_declaring_the_service_done_records_the_dates(cast, imp, make_award):
    award = make_award(imp.staff.alice, state="paying")
    today = timezone.localdate()
    services.award_declare_service_done(award=award, done_on=today, ended_on=today, by=cast.principal_a)
    last = ImpAward.history.filter(id=award.pk).latest("history_id")
    assert (last.state, last.service_done_on, last.ended_on) == ("closed", today, today)
    assert last.history_user == cast.principal_a


def test_setting_an_envelope_records_the_rectorat_user_and_the_amounts(cast):
    services.envelope_set(school=cast.school_b, school_year=cast.school_year, amount=D("2500"), by=cast.rectorat)
    envelope = services.envelope_set(
        school=cast.school_b, school_year=cast.school_year, amount=D("3750"), by=cast.rectorat
    )
    records = history_of(envelope)
    assert [(r.history_type, r.amount, r.history_user) for r in records] == [
        ("+", D("2500.00"), cast.rectorat),
        ("~", D("3750.00"), cast.rectorat),
    ]


def test_an_envelope_import_records_each_envelope(cast, imp):
    data = f"uai;montant\n{cast.school_a.uai};3 000\n{cast.school_b.uai};2 500,00 €\n".encode()
    services.envelope_import(academie_ids={cast.dijon.pk}, school_year=cast.school_year, data=data, by=cast.rectorat)
    for school, amount, kind in ((cast.school_a, D("3000.00"), "~"), (cast.school_b, D("2500.00"), "+")):
        last = Envelope.history.filter(school_id=school.pk).latest("history_id")
        assert (last.history_type, last.amount, last.history_user) == (kind, amount, cast.rectorat)


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
    assert (
        not ImpAward.history.filter(person_id=alice.pk)
        .exclude(person_id=None)
        .filter(decline_reason__icontains="Alice")
        .exists()
    )
