"""The IMP services: the rules of circular 2015-058 and the award workflow, each refusal with its French message."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from imp import services
from imp.models import AwardEvent, Envelope, EnvelopeChange, ImpAward, ImpRate, Leave
from rupn.lib.errors import ConflictError, DomainError
from tests.factories import ImpAwardFactory, imp_rate, make_uai
from tests.imp.conftest import record_opinions

State = ImpAward.State
D = Decimal


def refused(match: str):
    return pytest.raises(DomainError, match=match)


def update(award, *, person, amount: str, by, version: int | None = None, **period):
    """award_update as the principal's form sends it: the version they saw (the current one unless told),
    a whole year unless a period is given."""
    return services.award_update(
        award=award,
        expected_version=award.version if version is None else version,
        person=person,
        amount=D(amount),
        whole_year=not period,
        by=by,
        **period,
    )


# --- rates ----------------------------------------------------------------------------------------------------------


def test_the_five_legal_rates_are_seeded_as_a_dated_table(cast):
    assert [r.amount for r in services.legal_rates(cast.school_year)] == [
        D("312.50"),
        D("625.00"),
        D("1250.00"),
        D("2500.00"),
        D("3750.00"),
    ]


def test_a_rate_ended_by_decree_is_no_longer_offered_and_a_new_one_is(cast):
    year_start = cast.school_year.start_date
    ImpRate.objects.filter(amount=D("312.50")).update(valid_until=year_start - datetime.timedelta(days=1))
    ImpRate.objects.create(amount=D("400.00"), valid_from=year_start)

    assert D("312.50") not in [r.amount for r in services.legal_rates(cast.school_year)]
    assert D("400.00") in [r.amount for r in services.legal_rates(cast.school_year)]


def test_a_rate_in_use_cannot_be_deleted(make_award):
    award = make_award()
    with pytest.raises(ProtectedError):
        award.rate.delete()


# --- proposing ---------------------------------------------------------------------------------------------------


def test_principal_prepares_an_award_with_its_history(cast, imp, make_award):
    award = make_award(imp.staff.alice, "2500")

    assert award.state == State.DRAFT
    assert (award.start_date, award.end_date) == (cast.school_year.start_date, cast.school_year.end_date)
    event = award.events.get()
    assert event.kind == AwardEvent.Kind.CREATED and event.by == cast.principal_a
    assert {"field": "Taux", "before": "", "after": "2\u00a0500,00\u00a0€"} in event.changes
    assert services.committed_total(cast.school_a, cast.school_year) == D("2500.00")


@pytest.mark.parametrize("amount", ["1000", "1250.01", "5000", "0"])
def test_an_amount_that_is_not_a_legal_rate_is_refused(imp, make_award, amount):
    with refused("n'est pas un taux légal de l'IMP. Les taux annuels en vigueur sont : 312,50"):
        make_award(imp.staff.alice, amount)


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("cpge", "un enseignant qui effectue tout son service en CPGE ne peut pas la recevoir"),
        ("secretary", "seuls les enseignants, les professeurs documentalistes et les CPE"),
    ],
)
def test_a_person_who_is_not_eligible_is_refused(imp, make_award, who, message):
    with refused(message):
        make_award(getattr(imp.staff, who))
    assert not ImpAward.objects.exists()


def test_cpe_and_professeur_documentaliste_are_eligible(imp, make_award):
    imp.staff.bruno.status = "documentaliste"
    imp.staff.bruno.save()
    make_award(imp.staff.cpe, "625")
    make_award(imp.staff.bruno, "625")
    assert ImpAward.objects.count() == 2


def test_a_person_no_longer_in_post_is_refused(imp, make_award):
    imp.staff.alice.is_active = False
    imp.staff.alice.save()
    with refused("n'est plus en poste"):
        make_award(imp.staff.alice)


def test_a_person_of_another_school_is_refused(imp, make_award):
    with refused("ne fait pas partie du personnel"):
        make_award(imp.staff.other_school)


def test_an_imp_is_refused_when_the_person_has_a_teaching_reduction_for_the_mission(cast, imp, make_award):
    services.reduction_create(
        school=cast.school_a, school_year=cast.school_year, person=imp.staff.alice, hours=D("1"), by=cast.principal_a
    )
    with refused("a déjà un allègement de service pour cette mission dans l'établissement : l'IMP et l'allègement"):
        make_award(imp.staff.alice)


def test_a_teaching_reduction_is_refused_when_the_person_has_an_imp_for_the_mission(cast, imp, make_award):
    make_award(imp.staff.alice)
    with refused("a déjà une IMP pour cette mission dans l'établissement : l'IMP et l'allègement"):
        services.reduction_create(
            school=cast.school_a,
            school_year=cast.school_year,
            person=imp.staff.alice,
            hours=D("1"),
            by=cast.principal_a,
        )


def test_a_declined_imp_frees_the_person_for_a_teaching_reduction(cast, imp, make_award):
    award = make_award(imp.staff.romain, state="proposed")
    services.award_decline(award=award, expected_version=award.version, by=cast.referent_a)
    services.reduction_create(
        school=cast.school_a, school_year=cast.school_year, person=imp.staff.romain, hours=D("1"), by=cast.principal_a
    )


def test_a_total_above_the_envelope_is_refused_with_the_figures(imp, make_award):
    make_award(imp.staff.alice, "2500")
    with refused(
        "dépasserait l'enveloppe de l'établissement : enveloppe 3\u00a0750,00\u00a0€, déjà engagé 2\u00a0500,00\u00a0€, "
        "reste 1\u00a0250,00\u00a0€, demandé 2\u00a0500,00\u00a0€"
    ):
        make_award(imp.staff.bruno, "2500")
    make_award(imp.staff.bruno, "1250")  # exactly what is left
    with refused("dépasserait l'enveloppe"):
        make_award(imp.staff.cpe, "312.50")


def test_without_an_envelope_no_award_can_be_prepared(cast, imp, make_award):
    imp.envelope.delete()
    with refused("Le rectorat n'a pas encore notifié l'enveloppe IMP"):
        make_award(imp.staff.alice)


def test_withdrawn_declined_and_rejected_awards_no_longer_count_in_the_envelope(cast, imp, make_award):
    first = make_award(imp.staff.alice, "3750")
    services.award_withdraw(award=first, by=cast.principal_a)
    second = make_award(imp.staff.alice, "3750")  # the slot and the money are free again
    assert second.pk != first.pk
    assert services.committed_total(cast.school_a, cast.school_year) == D("3750.00")


def test_one_live_award_per_person_school_year_and_mission(imp, make_award):
    make_award(imp.staff.alice, "625")
    with refused("a déjà une IMP pour cette mission cette année"):
        make_award(imp.staff.alice, "625")


def test_the_database_holds_one_live_award_per_person_and_mission(cast, imp):
    ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, person=imp.staff.alice)
    ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, person=imp.staff.alice, rejected=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, person=imp.staff.alice, proposed=True)


def test_the_database_refuses_an_envelope_that_is_not_positive(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        Envelope.objects.create(school=cast.school_b, school_year=cast.school_year, amount=D("0"))


def test_a_part_year_award_needs_dates_inside_the_school_year(cast, imp, make_award):
    year = cast.school_year
    with refused("indiquez la date de début et la date de fin"):
        make_award(imp.staff.alice, "625", whole_year=False)
    with refused("La mission doit se dérouler pendant l'année scolaire"):
        make_award(
            imp.staff.alice,
            "625",
            whole_year=False,
            start_date=year.start_date - datetime.timedelta(days=1),
            end_date=year.start_date + datetime.timedelta(days=30),
        )
    with refused("La date de fin de la mission précède sa date de début"):
        make_award(
            imp.staff.alice,
            "625",
            whole_year=False,
            start_date=year.start_date + datetime.timedelta(days=30),
            end_date=year.start_date + datetime.timedelta(days=3),
        )
    award = make_award(
        imp.staff.alice,
        "625",
        whole_year=False,
        start_date=datetime.date(year.start_year + 1, 1, 4),
        end_date=datetime.date(year.start_year + 1, 3, 31),
    )
    assert not award.whole_year


# --- the workflow ---------------------------------------------------------------------------------------------------


def test_the_whole_workflow_records_who_and_when(cast, imp, make_award):
    award = make_award(imp.staff.romain, "1250")
    award = services.award_propose(award=award, by=cast.principal_a)
    award = services.award_accept(award=award, expected_version=award.version, by=cast.referent_a)
    record_opinions(cast)
    award = services.award_validate(award=award, by=cast.rectorat)
    award = services.award_start_payment(award=award, by=cast.rectorat)
    today = timezone.localdate()
    award = services.award_declare_service_done(award=award, done_on=today, ended_on=today, by=cast.principal_a)

    assert award.state == State.CLOSED
    events = list(award.events.order_by("at", "pk").values_list("kind", "by__email"))
    assert events == [
        ("created", cast.principal_a.email),
        ("proposed", cast.principal_a.email),
        ("accepted", cast.referent_a.email),
        ("validated", cast.rectorat.email),
        ("paying", cast.rectorat.email),
        ("closed", cast.principal_a.email),
    ]
    validated = award.events.get(kind="validated")
    assert validated.changes == [
        {"field": "État", "before": "Acceptée par l'intéressé(e)", "after": "Validée par le rectorat"}
    ]


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("draft", "accept"),
        ("draft", "validate"),
        ("proposed", "validate"),
        ("proposed", "start_payment"),
        ("accepted", "propose"),
        ("accepted", "close"),
        ("validated", "accept"),
        ("validated", "withdraw"),
        ("paying", "validate"),
    ],
)
def test_a_transition_from_the_wrong_state_is_refused(cast, imp, make_award, state, action):
    award = make_award(imp.staff.romain, state=state)
    record_opinions(cast)
    calls = {
        "propose": lambda: services.award_propose(award=award, by=cast.principal_a),
        "withdraw": lambda: services.award_withdraw(award=award, by=cast.principal_a),
        "accept": lambda: services.award_accept(award=award, expected_version=award.version, by=cast.referent_a),
        "validate": lambda: services.award_validate(award=award, by=cast.rectorat),
        "start_payment": lambda: services.award_start_payment(award=award, by=cast.rectorat),
        "close": lambda: services.award_declare_service_done(
            award=award, done_on=timezone.localdate(), ended_on=timezone.localdate(), by=cast.principal_a
        ),
    }
    with refused("cette action n'est plus possible"):
        calls[action]()
    award.refresh_from_db()
    assert award.state == state


def test_only_the_holder_accepts_or_declines(cast, imp, make_award):
    award = make_award(imp.staff.alice, state="proposed")
    with refused("Seule la personne à qui l'IMP est proposée"):
        services.award_accept(award=award, expected_version=award.version, by=cast.referent_a)
    with refused("Seule la personne à qui l'IMP est proposée"):
        services.award_decline(award=award, expected_version=award.version, by=cast.principal_a)


def test_holder_declines_with_a_reason(cast, imp, make_award):
    award = make_award(imp.staff.romain, state="proposed")
    award = services.award_decline(
        award=award, expected_version=award.version, reason="Trop de charge", by=cast.referent_a
    )
    assert award.state == State.DECLINED and award.decline_reason == "Trop de charge"
    assert award.events.get(kind="declined").note == "Trop de charge"


def test_holder_cannot_accept_a_version_they_did_not_see(cast, imp, make_award):
    award = make_award(imp.staff.romain, state="proposed")
    seen = award.version
    update(award, person=imp.staff.romain, amount="2500", by=cast.principal_a, version=seen)
    with pytest.raises(ConflictError):
        services.award_accept(award=award, expected_version=seen, by=cast.referent_a)


def test_validation_waits_for_the_cp_and_the_ca(cast, imp, make_award):
    award = make_award(imp.staff.romain, state="accepted")
    with refused("les avis du conseil pédagogique et du conseil d'administration ne sont pas enregistrés"):
        services.award_validate(award=award, by=cast.rectorat)
    today = timezone.localdate()
    services.opinion_record(
        school=cast.school_a,
        school_year=cast.school_year,
        body="cp",
        date=today,
        opinion="favorable",
        by=cast.principal_a,
    )
    with refused("l'avis du conseil d'administration n'est pas enregistré"):
        services.award_validate(award=award, by=cast.rectorat)
    services.opinion_record(
        school=cast.school_a,
        school_year=cast.school_year,
        body="ca",
        date=today,
        opinion="unfavorable",
        by=cast.principal_a,
    )
    assert services.award_validate(award=award, by=cast.rectorat).state == State.VALIDATED


def test_rejection_needs_a_reason(cast, imp, make_award):
    award = make_award(imp.staff.romain, state="accepted")
    with refused("Indiquez le motif du rejet"):
        services.award_reject(award=award, reason="  ", by=cast.rectorat)
    award = services.award_reject(award=award, reason="Taux trop élevé pour la charge décrite", by=cast.rectorat)
    assert award.state == State.REJECTED and award.rejection_reason == "Taux trop élevé pour la charge décrite"


def test_changing_an_accepted_award_records_before_and_after_and_asks_agreement_again(cast, imp, make_award):
    award = make_award(imp.staff.romain, "1250", state="accepted")
    award = update(award, person=imp.staff.alice, amount="2500", by=cast.principal_a)
    assert award.state == State.PROPOSED and award.person == imp.staff.alice
    event = award.events.get(kind="updated")
    assert event.by == cast.principal_a
    assert event.changes == [
        {"field": "Bénéficiaire", "before": "Romain Référent", "after": "Alice Dupont"},
        {"field": "Taux", "before": "1\u00a0250,00\u00a0€", "after": "2\u00a0500,00\u00a0€"},
        {"field": "État", "before": "Acceptée par l'intéressé(e)", "after": "Proposée à l'intéressé(e)"},
    ]


def test_changing_the_period_is_in_the_history(cast, imp, make_award):
    award = make_award(imp.staff.alice, "625")
    start = datetime.date(cast.school_year.start_year + 1, 1, 4)
    end = datetime.date(cast.school_year.start_year + 1, 2, 26)
    award = update(award, person=imp.staff.alice, amount="625", by=cast.principal_a, start_date=start, end_date=end)
    assert award.events.get(kind="updated").changes == [
        {
            "field": "Période",
            "before": "Toute l'année scolaire",
            "after": f"Du 04/01/{start.year} au 26/02/{start.year}",
        }
    ]


def test_raising_a_rate_above_the_envelope_is_refused(cast, imp, make_award):
    award = make_award(imp.staff.alice, "2500")
    make_award(imp.staff.bruno, "1250")
    with refused("dépasserait l'enveloppe"):
        update(award, person=imp.staff.alice, amount="3750", by=cast.principal_a)


def test_a_stale_edit_is_refused(cast, imp, make_award):
    award = make_award(imp.staff.alice, "625")
    with pytest.raises(ConflictError):
        update(award, person=imp.staff.alice, amount="1250", by=cast.principal_a, version=award.version - 1)


def test_a_validated_award_can_no_longer_be_changed(cast, imp, make_award):
    award = make_award(imp.staff.romain, state="validated")
    with refused("ne peut plus être modifiée"):
        update(award, person=imp.staff.romain, amount="625", by=cast.principal_a)


def test_service_done_dates_are_checked(cast, imp, make_award):
    award = make_award(imp.staff.romain, state="validated")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with refused("à une date future"):
        services.award_declare_service_done(award=award, done_on=tomorrow, by=cast.principal_a)
    with refused("La date du service fait doit être comprise"):
        services.award_declare_service_done(
            award=award, done_on=cast.school_year.start_date - datetime.timedelta(days=1), by=cast.principal_a
        )


# --- leaves and replacements ------------------------------------------------------------------------------------


def test_leaves_and_replacements_are_checked_and_in_the_history(cast, imp, make_award):
    award = make_award(imp.staff.romain, state="validated")
    y = cast.school_year.start_year + 1
    leave = services.leave_add(
        award=award,
        kind=Leave.Kind.SICK,
        start_date=datetime.date(y, 2, 1),
        end_date=datetime.date(y, 2, 20),
        salary_percent=D("50"),
        by=cast.principal_a,
    )
    with refused("chevauche un congé"):
        services.leave_add(
            award=award,
            kind=Leave.Kind.ANNUAL,
            start_date=datetime.date(y, 2, 10),
            end_date=datetime.date(y, 3, 1),
            salary_percent=D("100"),
            by=cast.principal_a,
        )
    other = services.leave_add(
        award=award,
        kind=Leave.Kind.OTHER,
        start_date=datetime.date(y, 3, 1),
        end_date=datetime.date(y, 3, 2),
        salary_percent=D("100"),
        by=cast.principal_a,
    )
    assert other.salary_percent == 0  # an absence the circular does not list keeps nothing
    with refused("ne peut pas être son propre remplaçant"):
        services.replacement_add(
            award=award,
            person=imp.staff.romain,
            kind="replacement",
            start_date=datetime.date(y, 4, 1),
            by=cast.principal_a,
        )
    with refused("service complet en CPGE|tout son service en CPGE"):
        services.replacement_add(
            award=award, person=imp.staff.cpge, kind="interim", start_date=datetime.date(y, 4, 1), by=cast.principal_a
        )
    services.replacement_add(
        award=award, person=imp.staff.alice, kind="interim", start_date=datetime.date(y, 4, 16), by=cast.principal_a
    )
    with refused("chevauche un remplacement"):
        services.replacement_add(
            award=award,
            person=imp.staff.bruno,
            kind="replacement",
            start_date=datetime.date(y, 4, 1),
            end_date=datetime.date(y, 4, 20),
            by=cast.principal_a,
        )
    with refused("comprise dans celle de l'IMP"):
        services.leave_add(
            award=award,
            kind=Leave.Kind.ANNUAL,
            start_date=datetime.date(y, 8, 20),
            end_date=datetime.date(y, 9, 20),
            salary_percent=D("100"),
            by=cast.principal_a,
        )
    services.leave_remove(leave=leave, by=cast.principal_a)
    kinds = list(award.events.order_by("pk").values_list("kind", flat=True))
    assert kinds[-4:] == ["leave_added", "leave_added", "replacement_added", "leave_removed"]
    assert "Intérim par Alice Dupont à partir du 16/04/" in award.events.get(kind="replacement_added").note


def test_leaves_are_recorded_only_on_an_award_being_followed(cast, imp, make_award):
    award = make_award(imp.staff.romain, state="proposed")
    with refused("s'enregistrent sur une IMP acceptée, validée ou en paiement"):
        services.leave_add(
            award=award,
            kind=Leave.Kind.ANNUAL,
            start_date=cast.school_year.start_date,
            end_date=cast.school_year.start_date,
            salary_percent=D("100"),
            by=cast.principal_a,
        )


# --- opinions -----------------------------------------------------------------------------------------------------


def test_the_ca_gives_its_opinion_after_the_cp(cast):
    today = timezone.localdate()
    with refused("Enregistrez d'abord l'avis du conseil pédagogique"):
        services.opinion_record(
            school=cast.school_a,
            school_year=cast.school_year,
            body="ca",
            date=today,
            opinion="favorable",
            by=cast.principal_a,
        )
    services.opinion_record(
        school=cast.school_a,
        school_year=cast.school_year,
        body="cp",
        date=today,
        opinion="favorable",
        by=cast.principal_a,
    )
    with refused("après le conseil pédagogique"):
        services.opinion_record(
            school=cast.school_a,
            school_year=cast.school_year,
            body="ca",
            date=today - datetime.timedelta(days=1),
            opinion="favorable",
            by=cast.principal_a,
        )
    with refused("ne peut pas être dans le futur"):
        services.opinion_record(
            school=cast.school_a,
            school_year=cast.school_year,
            body="cp",
            date=today + datetime.timedelta(days=1),
            opinion="favorable",
            by=cast.principal_a,
        )


def test_an_opinion_is_corrected_not_duplicated(cast):
    today = timezone.localdate()
    for opinion in ("unfavorable", "favorable"):
        services.opinion_record(
            school=cast.school_a,
            school_year=cast.school_year,
            body="cp",
            date=today,
            opinion=opinion,
            votes_for=3,
            by=cast.principal_a,
        )
    assert cast.school_a.board_opinions.get().opinion == "favorable"


# --- envelopes ----------------------------------------------------------------------------------------------------


def test_envelope_changes_are_kept_with_who_and_when(cast):
    services.envelope_set(school=cast.school_b, school_year=cast.school_year, amount=D("2500"), by=cast.rectorat)
    services.envelope_set(school=cast.school_b, school_year=cast.school_year, amount=D("2500"), by=cast.rectorat)
    services.envelope_set(school=cast.school_b, school_year=cast.school_year, amount=D("3125"), by=cast.rectorat)

    changes = list(
        EnvelopeChange.objects.filter(envelope__school=cast.school_b)
        .order_by("pk")
        .values_list("before", "after", "changed_by")
    )
    assert changes == [(None, D("2500.00"), cast.rectorat.pk), (D("2500.00"), D("3125.00"), cast.rectorat.pk)]


def test_an_envelope_cannot_drop_below_what_is_committed(cast, imp, make_award):
    make_award(imp.staff.alice, "2500")
    with refused("ne peut pas être inférieure aux IMP déjà engagées \\(2\u00a0500,00\u00a0€\\)"):
        services.envelope_set(school=cast.school_a, school_year=cast.school_year, amount=D("2000"), by=cast.rectorat)
    with refused("doit être positif"):
        services.envelope_set(school=cast.school_a, school_year=cast.school_year, amount=D("0"), by=cast.rectorat)
    services.envelope_set(school=cast.school_a, school_year=cast.school_year, amount=D("2500"), by=cast.rectorat)


def test_envelope_import_sets_every_line(cast):
    data = f"uai;montant\n{cast.school_a.uai};3750\n{cast.school_b.uai.lower()};2 500,00 €\n".encode()
    result = services.envelope_import(
        academie_ids={cast.dijon.pk}, school_year=cast.school_year, data=data, by=cast.rectorat
    )

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert Envelope.objects.get(school=cast.school_b).amount == D("2500.00")
    again = services.envelope_import(
        academie_ids={cast.dijon.pk}, school_year=cast.school_year, data=data, by=cast.rectorat
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert EnvelopeChange.objects.filter(source="import").count() == 2


def test_envelope_import_is_all_or_nothing_with_line_numbers(cast, imp, make_award):
    make_award(imp.staff.alice, "3750")
    unknown = make_uai(219999)
    data = (
        "\ufeffUAI;Montant\r\n"
        f"{cast.school_b.uai};2500\r\n"
        "\r\n"
        f"{cast.school_c.uai};1000\r\n"
        f"{unknown};1000\r\n"
        f"{cast.school_b.uai};3000\r\n"
        f"{cast.school_a.uai};1250\r\n"
        f"{unknown};beaucoup\r\n"
        f"{unknown}\r\n"
        f"{cast.school_a.uai[:7]}1;-5\r\n"
    ).encode()
    with pytest.raises(DomainError) as error:
        services.envelope_import(
            academie_ids={cast.dijon.pk}, school_year=cast.school_year, data=data, by=cast.rectorat
        )

    assert error.value.messages == [
        f"Ligne 4 : aucun établissement de votre académie n'a l'UAI {cast.school_c.uai}.",
        f"Ligne 5 : aucun établissement de votre académie n'a l'UAI {unknown}.",
        f"Ligne 6 : l'UAI {cast.school_b.uai} figure déjà ligne 2.",
        "Ligne 7 : l'enveloppe du Collège Les Lentillères ne peut pas être inférieure aux IMP déjà engagées (3\u00a0750,00\u00a0€).",
        "Ligne 8 : « beaucoup » n'est pas un montant en euros (par exemple 3750 ou 3 750,00).",
        "Ligne 9 : deux colonnes sont attendues, l'UAI et le montant, séparées par « ; ».",
        f"Ligne 10 : « {cast.school_a.uai[:7]}1 » n'est pas un UAI valide.",
        "Ligne 10 : le montant de l'enveloppe doit être positif.",
    ]
    assert error.value.message.startswith("Le fichier n'a pas été importé : il contient 8 erreurs.")
    assert not Envelope.objects.filter(school=cast.school_b).exists()


def test_envelope_import_reads_windows_1252(cast):
    data = f"{cast.school_b.uai};1 250,50 €\n".encode("cp1252")
    services.envelope_import(academie_ids={cast.dijon.pk}, school_year=cast.school_year, data=data, by=cast.rectorat)
    assert Envelope.objects.get(school=cast.school_b).amount == D("1250.50")


def test_factories_rate_helper_reads_the_seeded_table(db):
    assert imp_rate("3750").amount == D("3750.00")


def test_the_service_is_declared_done_once_the_mission_is_over(cast, imp, make_award):
    award = make_award(imp.staff.romain, state="paying")
    today = timezone.localdate()
    with refused("le service fait se déclare à partir du 01/07/"):
        services.award_declare_service_done(award=award, done_on=today, by=cast.principal_a)
    with refused("La date de fin de la mission doit être comprise"):
        services.award_declare_service_done(
            award=award, done_on=today, ended_on=today + datetime.timedelta(days=1), by=cast.principal_a
        )
    award = services.award_declare_service_done(award=award, done_on=today, ended_on=today, by=cast.principal_a)
    assert (award.state, award.ended_on) == (State.CLOSED, today)
    assert "Mission interrompue après le" in award.events.get(kind="closed").note
