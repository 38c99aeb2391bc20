"""The IMP pages as each member of the cast uses them: forms posted back from the rendered pages."""

import csv
import datetime
import html as htmllib
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from imp import services
from imp.models import AcademiePolicy, BoardOpinion, Envelope, ImpAward
from missions.services import RowInput, plan_get_or_create, plan_save
from tests.factories import EnvelopeFactory, ImpAwardFactory, PersonFactory, SchoolFactory, UserFactory
from tests.imp.conftest import record_opinions
from tests.utils import extract_form_fields, flat

State = ImpAward.State
NBSP = "\u00a0"


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


def school_url(cast, name="imp:school", *args):
    return reverse(name, args=[cast.school_a.uai, cast.school_year.name, *args])


def euros(value: str) -> str:
    return value.replace(" ", NBSP) + NBSP + "€"


# --- 1. envelopes ---------------------------------------------------------------------------------------------------


def test_rectorat_sets_an_envelope_then_adjusts_it_and_the_principal_sees_the_history(client_for, cast):
    client = client_for(cast.rectorat)
    url = reverse("imp:envelopes")
    for amount in ("3 750", "4375,00"):
        data = extract_form_fields(client.get(url).content, "envelope-form")
        data["envelope-uai"] = [cast.school_a.uai.lower()]
        data["envelope-amount"] = [amount]
        response = client.post(url, flat(data), follow=True)
        assert "est enregistrée" in text(response)
    assert Envelope.objects.get(school=cast.school_a).amount == Decimal("4375.00")

    page = text(client_for(cast.principal_a).get(school_url(cast)))
    assert euros("4 375,00") in page
    assert "Historique de l'enveloppe" in page
    assert euros("3 750,00") in page and "Rémi Rectorat" in page


def test_rectorat_cannot_set_the_envelope_of_another_academie(client_for, cast):
    client = client_for(cast.rectorat)
    url = reverse("imp:envelopes")
    data = extract_form_fields(client.get(url).content, "envelope-form")
    data["envelope-uai"] = [cast.school_c.uai]
    data["envelope-amount"] = ["3750"]
    response = client.post(url, flat(data))
    assert response.status_code == 400
    assert "Aucun établissement de votre académie n'a cet UAI." in text(response)
    assert not Envelope.objects.exists()


def test_rectorat_imports_envelopes_all_or_nothing(client_for, cast):
    client = client_for(cast.rectorat)
    url = reverse("imp:envelopes")
    data = extract_form_fields(client.get(url).content, "envelope-import-form")
    bad = f"uai;montant\n{cast.school_a.uai};3750\n{cast.school_b.uai};abc\n".encode()
    response = client.post(url, {**flat(data), "import-file": SimpleUploadedFile("e.csv", bad, "text/csv")})
    assert response.status_code == 400
    assert "Ligne 3 : « abc » n'est pas un montant en euros" in text(response)
    assert not Envelope.objects.exists()

    good = f"uai;montant\n{cast.school_a.uai};3750\n{cast.school_b.uai};2500\n".encode()
    response = client.post(
        url, {**flat(data), "import-file": SimpleUploadedFile("e.csv", good, "text/csv")}, follow=True
    )
    assert "Import terminé : 2 enveloppe(s) notifiée(s), 0 ajustée(s), 0 inchangée(s)." in text(response)
    assert Envelope.objects.count() == 2
    assert cast.school_c.name not in text(response)  # the list shows the académie's schools only


@pytest.mark.parametrize("role", ["principal_a", "dane", "referent_a", "collectivity_a"])
def test_only_the_rectorat_posts_envelopes(client_for, cast, role):
    response = client_for(getattr(cast, role)).post(
        reverse("imp:envelopes"), {"action": "set", "envelope-uai": cast.school_a.uai, "envelope-amount": "3750"}
    )
    assert response.status_code == 403
    assert not Envelope.objects.exists()


# --- 2 and 3. the principal proposes ----------------------------------------------------------------------------


@pytest.fixture
def plan_with_referents(cast, imp):
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    rows = [
        RowInput(mission_code=row.mission.code, row_id=row.pk, holder_ids={imp.staff.romain.pk, imp.staff.alice.pk})
        if row.mission.code == "support_teams"
        else RowInput(mission_code=row.mission.code, row_id=row.pk)
        for row in plan.rows.select_related("mission")
    ]
    return plan_save(plan=plan, expected_version=plan.version, has_tablets=False, rows=rows, by=cast.principal_a)


def propose_from_page(client, cast, person, amount="1250.00", *, button="propose", **fields):
    url = school_url(cast)
    data = extract_form_fields(client.get(url).content, "award-form")
    data["award-person"] = [str(person.pk)]
    data["award-amount"] = [amount]
    for name, value in fields.items():
        data[f"award-{name}"] = [value]
    data[button] = [""]
    return client.post(url, flat(data), follow=True)


def test_principal_proposes_from_the_page_and_sees_envelope_committed_and_left(
    client_for, cast, imp, plan_with_referents
):
    client = client_for(cast.principal_a)
    page = text(client.get(school_url(cast)))
    assert (
        "Désignés dans le tableau de répartition et sans IMP pour cette année : Alice Dupont, Romain Référent." in page
    )
    for rate in ("312,50", "625,00", "1 250,00", "2 500,00", "3 750,00"):
        assert euros(rate) in page

    response = propose_from_page(client, cast, imp.staff.romain, "1250.00")
    page = text(response)
    assert "L'IMP de Romain Référent est proposée : elle attend son accord." in page
    award = ImpAward.objects.get()
    assert (award.state, award.whole_year, award.rate.amount) == (State.PROPOSED, True, Decimal("1250.00"))
    assert euros("3 750,00") in page and euros("1 250,00") in page and euros("2 500,00") in page
    assert "Proposée à l'intéressé(e)" in page
    assert "Désignés dans le tableau de répartition et sans IMP pour cette année : Alice Dupont." in page


def test_principal_proposes_a_part_year_award_as_a_draft(client_for, cast, imp):
    y = cast.school_year.start_year + 1
    response = propose_from_page(
        client_for(cast.principal_a),
        cast,
        imp.staff.cpe,
        "625.00",
        button="draft",
        period="part",
        start_date=f"{y}-01-04",
        end_date=f"{y}-03-31",
    )
    assert "est enregistrée en brouillon" in text(response)
    award = ImpAward.objects.get()
    assert (award.state, award.whole_year, award.start_date) == (State.DRAFT, False, datetime.date(y, 1, 4))


def test_the_policy_check_warns_without_refusing(client_for, cast, imp):
    client = client_for(cast.principal_a)
    assert "Aucune IMP RUPN n'est encore prévue. La fourchette académique est de" in text(client.get(school_url(cast)))
    page = text(propose_from_page(client, cast, imp.staff.alice, "625.00"))
    assert (
        f"Le total des IMP RUPN de l'établissement ({euros('625,00')}) est hors de la fourchette académique : de "
        f"{euros('1 250,00')} à {euros('3 750,00')} au total pour l'établissement."
    ) in page
    propose_from_page(client, cast, imp.staff.bruno, "625.00")
    assert "hors de la fourchette" not in text(client.get(school_url(cast)))


def test_an_academie_applying_the_range_per_person_warns_for_each_person(client_for, cast, imp):
    AcademiePolicy.objects.create(academie=cast.dijon, rupn_range_scope=AcademiePolicy.RangeScope.PERSON)
    client = client_for(cast.principal_a)
    propose_from_page(client, cast, imp.staff.alice, "625.00")
    propose_from_page(client, cast, imp.staff.bruno, "1250.00")
    page = text(client.get(school_url(cast)))
    assert f"L'IMP RUPN d'Alice Dupont ({euros('625,00')}) est hors de la fourchette académique" in page
    assert "Bruno Durand (" not in page


def test_a_tampered_rate_is_refused_with_the_legal_rates(client_for, cast, imp):
    response = propose_from_page(client_for(cast.principal_a), cast, imp.staff.alice, "1000.00")
    assert response.status_code == 400
    assert "Ce montant n'est pas un taux légal de l'IMP. Choisissez l'un des taux en vigueur : 312,50" in text(response)
    assert not ImpAward.objects.exists()


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("cpge", "un enseignant qui effectue tout son service en CPGE ne peut pas la recevoir"),
        ("secretary", "seuls les enseignants, les professeurs documentalistes et les CPE peuvent la recevoir"),
    ],
)
def test_an_ineligible_person_is_refused_on_the_page(client_for, cast, imp, who, message):
    response = propose_from_page(client_for(cast.principal_a), cast, getattr(imp.staff, who))
    assert response.status_code == 400
    assert message in text(response)
    assert not ImpAward.objects.exists()


def test_an_award_above_the_envelope_is_refused_on_the_page(client_for, cast, imp):
    client = client_for(cast.principal_a)
    propose_from_page(client, cast, imp.staff.alice, "2500.00")
    response = propose_from_page(client, cast, imp.staff.bruno, "2500.00")
    assert response.status_code == 400
    assert "dépasserait l'enveloppe de l'établissement" in text(response)


def test_reduction_and_imp_exclude_each_other_on_the_page(client_for, cast, imp):
    client = client_for(cast.principal_a)
    propose_from_page(client, cast, imp.staff.alice, "625.00")
    data = extract_form_fields(client.get(school_url(cast)).content, "reduction-form")
    data["reduction-person"] = [str(imp.staff.alice.pk)]
    data["reduction-hours"] = ["1"]
    response = client.post(school_url(cast), flat(data))
    assert response.status_code == 400
    assert "l'IMP et l'allègement de service sont exclusifs" in text(response)

    data["reduction-person"] = [str(imp.staff.bruno.pk)]
    assert "est enregistré" in text(client.post(school_url(cast), flat(data), follow=True))
    response = propose_from_page(client, cast, imp.staff.bruno, "625.00")
    assert "a déjà un allègement de service pour cette mission" in text(response)


@pytest.mark.parametrize(
    ("role", "status"), [("dane", 403), ("rectorat", 403), ("principal_b", 404), ("referent_a", 403)]
)
def test_only_the_principal_posts_on_the_school_imp_page(client_for, cast, imp, role, status):
    data = {
        "action": "award",
        "award-person": str(imp.staff.alice.pk),
        "award-amount": "1250.00",
        "award-period": "whole",
        "propose": "",
    }
    assert client_for(getattr(cast, role)).post(school_url(cast), data).status_code == status
    assert not ImpAward.objects.exists()


def test_school_page_and_allocation_table_link_to_the_imp(client_for, cast):
    client = client_for(cast.principal_a)
    imp_url = school_url(cast)
    assert imp_url in text(client.get(reverse("schools:detail", args=[cast.school_a.uai])))
    assert imp_url in text(client.get(reverse("missions:allocation", args=[cast.school_a.uai, cast.school_year.name])))
    referent_page = text(client_for(cast.referent_a).get(reverse("schools:detail", args=[cast.school_a.uai])))
    assert imp_url not in referent_page and reverse("imp:mine") in referent_page
    assert imp_url not in text(client_for(cast.collectivity_a).get(reverse("schools:detail", args=[cast.school_a.uai])))


# --- 4. agreement, opinions, validation -----------------------------------------------------------------------------


def test_referent_sees_the_proposal_on_their_page_and_accepts_it(client_for, cast, imp, make_award):
    award = make_award(imp.staff.romain, "2500", state="proposed")
    client = client_for(cast.referent_a)
    page = client.get(reverse("imp:mine"))
    assert f"taux annuel {euros('2 500,00')}" in text(page)
    data = extract_form_fields(page.content, f"answer-{award.pk}")
    data["action"] = ["accept"]
    response = client.post(reverse("imp:mine"), flat(data), follow=True)
    assert "Vous avez accepté l'IMP" in text(response)
    award.refresh_from_db()
    assert award.state == State.ACCEPTED


def test_referent_declines_with_a_reason(client_for, cast, imp, make_award):
    award = make_award(imp.staff.romain, state="proposed")
    client = client_for(cast.referent_a)
    data = extract_form_fields(client.get(reverse("imp:mine")).content, f"answer-{award.pk}")
    data["action"] = ["decline"]
    data[f"decline-{award.pk}-reason"] = ["Je quitte l'établissement"]
    client.post(reverse("imp:mine"), flat(data))
    award.refresh_from_db()
    assert (award.state, award.decline_reason) == (State.DECLINED, "Je quitte l'établissement")


def test_nobody_else_answers_for_the_holder(client_for, cast, imp, make_award):
    award = make_award(imp.staff.romain, state="proposed")
    for user in (cast.principal_a, cast.rectorat, UserFactory(email="autre@ac-dijon.fr")):
        response = client_for(user).post(
            reverse("imp:mine"), {"award": award.pk, "version": award.version, "action": "accept"}
        )
        assert response.status_code == 404
    award.refresh_from_db()
    assert award.state == State.PROPOSED


def test_principal_records_the_cp_then_the_ca_opinion(client_for, cast, imp):
    client = client_for(cast.principal_a)
    today = timezone.localdate()
    for body, date, votes in (("cp", today - datetime.timedelta(days=7), ""), ("ca", today, "15")):
        data = extract_form_fields(client.get(school_url(cast)).content, f"opinion-{body}-form")
        data[f"{body}-date"] = [date.isoformat()]
        data[f"{body}-opinion"] = ["favorable"]
        data[f"{body}-votes_for"] = [votes]
        data[f"{body}-deliberation_number"] = [" 2026-14 " if body == "ca" else ""]
        response = client.post(school_url(cast), flat(data), follow=True)
        assert "L'avis du conseil" in text(response) and "est enregistré." in text(response)
    ca = BoardOpinion.objects.get(body="ca")
    assert (ca.votes_for, ca.votes_against, ca.recorded_by) == (15, None, cast.principal_a)
    assert ca.deliberation_number == "2026-14"
    assert BoardOpinion.objects.get(body="cp").deliberation_number == ""
    assert "pour 15, contre —, abstentions —" in text(client.get(school_url(cast)))
    assert "délibération n°\u00a02026-14" in text(client.get(school_url(cast)))


def test_ca_before_cp_is_refused_on_the_page(client_for, cast, imp):
    client = client_for(cast.principal_a)
    data = extract_form_fields(client.get(school_url(cast)).content, "opinion-ca-form")
    data["ca-date"] = [timezone.localdate().isoformat()]
    data["ca-opinion"] = ["favorable"]
    response = client.post(school_url(cast), flat(data))
    assert response.status_code == 400
    assert "Enregistrez d'abord l'avis du conseil pédagogique" in text(response)


def test_rectorat_queue_filters_and_validates_one_award(client_for, cast, imp, make_award):
    ready = make_award(imp.staff.romain, "1250", state="accepted")
    record_opinions(cast)
    waiting_school = SchoolFactory(departement=cast.school_a.departement, collectivity=cast.cd21)
    EnvelopeFactory(school=waiting_school, school_year=cast.school_year)
    waiting = ImpAwardFactory(school=waiting_school, school_year=cast.school_year, accepted=True)
    other_academie = ImpAwardFactory(school=cast.school_c, school_year=cast.school_year, accepted=True)
    client = client_for(cast.rectorat)

    page = text(client.get(reverse("imp:queue")))
    assert ready.person.full_name in page
    assert waiting.person.full_name not in page
    waiting_page = text(client.get(reverse("imp:queue"), {"status": "waiting"}))
    assert waiting.person.full_name in waiting_page and ready.person.full_name not in waiting_page
    all_page = text(client.get(reverse("imp:queue"), {"status": "all"}))
    assert other_academie.person.full_name not in all_page  # another académie's award never shows
    assert ready.person.full_name not in text(client.get(reverse("imp:queue"), {"status": "all", "q": "Pardé"}))

    response = client.post(reverse("imp:queue"), {"validate": ready.pk}, follow=True)
    assert "1 IMP validée." in text(response)
    ready.refresh_from_db()
    assert ready.state == State.VALIDATED
    assert client.post(reverse("imp:queue"), {"validate": other_academie.pk}).status_code == 404


def test_rectorat_validates_in_bulk_and_rejects_with_a_reason(client_for, cast, imp, make_award):
    a = make_award(imp.staff.romain, "1250", state="accepted")
    b = make_award(imp.staff.alice, "625", state="accepted")
    c = make_award(imp.staff.bruno, "625", state="accepted")
    record_opinions(cast)
    client = client_for(cast.rectorat)
    url = reverse("imp:queue")

    response = client.post(url, {"awards": [c.pk], "reject_selected": ""}, follow=True)
    assert "Indiquez le motif du rejet" in text(response)
    client.post(url, {"awards": [c.pk], "reject_selected": "", "reject-reason": "Mission non décrite"})
    response = client.post(url, {"awards": [a.pk, b.pk], "validate_selected": ""}, follow=True)
    assert "2 IMP validées." in text(response)
    states = dict(ImpAward.objects.values_list("pk", "state"))
    assert states == {a.pk: State.VALIDATED, b.pk: State.VALIDATED, c.pk: State.REJECTED}

    response = client.post(url + "?status=validated", {"awards": [a.pk, b.pk], "pay_selected": ""}, follow=True)
    assert "2 IMP mises en paiement." in text(response)
    assert set(ImpAward.objects.filter(pk__in=[a.pk, b.pk]).values_list("state", flat=True)) == {State.PAYING}


def test_validation_from_the_queue_is_refused_before_the_ca(client_for, cast, imp, make_award):
    award = make_award(imp.staff.romain, state="accepted")
    response = client_for(cast.rectorat).post(reverse("imp:queue"), {"validate": award.pk}, follow=True)
    assert "ne peut pas encore être validée" in text(response)
    award.refresh_from_db()
    assert award.state == State.ACCEPTED


@pytest.mark.parametrize("role", ["principal_a", "dane", "referent_a"])
def test_only_the_rectorat_validates(client_for, cast, imp, make_award, role):
    award = make_award(imp.staff.romain, state="accepted")
    record_opinions(cast)
    assert client_for(getattr(cast, role)).post(reverse("imp:queue"), {"validate": award.pk}).status_code == 403
    award.refresh_from_db()
    assert award.state == State.ACCEPTED


# --- the award page: history, changes, service done, leaves ------------------------------------------------------


def test_the_award_page_shows_the_history_to_principal_dane_and_rectorat(client_for, cast, imp, make_award):
    award = make_award(imp.staff.romain, "1250", state="proposed")
    services.award_update(
        award=award,
        expected_version=award.version,
        person=imp.staff.romain,
        amount=Decimal("2500"),
        whole_year=True,
        by=cast.principal_a,
    )
    url = school_url(cast, "imp:award", award.pk)
    for role in ("principal_a", "dane", "rectorat"):
        page = text(client_for(getattr(cast, role)).get(url))
        assert f"Taux : {euros('1 250,00')} → {euros('2 500,00')}" in page
        assert "Proposition à l'intéressé(e)" in page and "Anne Principale" in page
    assert client_for(cast.referent_a).get(url).status_code == 403
    assert client_for(cast.principal_b).get(url).status_code == 404


def test_an_award_of_another_school_is_a_404_under_this_school(client_for, cast):
    other = ImpAwardFactory(school=cast.school_b, school_year=cast.school_year)
    assert client_for(cast.principal_a).get(school_url(cast, "imp:award", other.pk)).status_code == 404


def test_principal_changes_an_award_from_its_page(client_for, cast, imp, make_award):
    award = make_award(imp.staff.alice, "625")
    client = client_for(cast.principal_a)
    url = school_url(cast, "imp:award", award.pk)
    data = extract_form_fields(client.get(url).content, "update-form")
    data["update-amount"] = ["1250.00"]
    response = client.post(url, flat(data), follow=True)
    assert "Les modifications sont enregistrées." in text(response)
    award.refresh_from_db()
    assert award.rate.amount == Decimal("1250.00")
    # The same form again: its version is stale, but it asks for what is saved already (merged: nothing to change).
    # Was a 409 refusal before the merge (issue 15).
    assert client.post(url, flat(data)).status_code == 302
    award.refresh_from_db()
    assert award.rate.amount == Decimal("1250.00")


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_two_people_changing_an_award_keep_both_changes_or_choose_on_a_clash(client_for, cast, imp, make_award, choice):
    award = make_award(imp.staff.alice, "625")
    client = client_for(cast.principal_a)
    url = school_url(cast, "imp:award", award.pk)
    first = extract_form_fields(client.get(url).content, "update-form")
    second = extract_form_fields(client.get(url).content, "update-form")
    first["update-amount"] = ["1250.00"]
    assert client.post(url, flat(first)).status_code == 302
    second["update-amount"] = ["2500.00"]
    response = client.post(url, flat(second))
    assert response.status_code == 409
    page = text(response)
    assert f"Votre saisie\xa0: {euros('2 500,00')}" in page
    assert re.search(r"Enregistré par Anne Principale à \d+\xa0h\xa0\d\d\xa0: ", page)
    award.refresh_from_db()
    assert award.rate.amount == Decimal("1250.00")  # nothing saved until chosen
    again = extract_form_fields(response.content, "update-form") | {"keep::amount": [choice]}
    assert client.post(url, flat(again)).status_code == 302
    award.refresh_from_db()
    assert award.rate.amount == (Decimal("2500.00") if choice == "mine" else Decimal("1250.00"))


def test_principal_records_a_replacement_and_the_schedule_follows(client_for, cast, imp, make_award):
    award = make_award(imp.staff.romain, "3750", state="validated")
    client = client_for(cast.principal_a)
    url = school_url(cast, "imp:award", award.pk)
    data = extract_form_fields(client.get(url).content, "replacement-form")
    data["replacement-person"] = [str(imp.staff.alice.pk)]
    data["replacement-start_date"] = [f"{cast.school_year.start_year + 1}-01-16"]
    response = client.post(url, flat(data), follow=True)
    assert "Le remplacement est enregistré." in text(response)
    page = text(client.get(school_url(cast, "imp:schedule")))
    assert page.count("Alice Dupont") == 7 and page.count("Romain Référent") == 3
    assert page.count(euros("208,33")) == 2


def test_principal_declares_the_service_done_of_a_part_year_award_and_it_is_paid_once(client_for, cast, imp):
    start = cast.school_year.start_date
    award = services.award_create(
        school=cast.school_a,
        school_year=cast.school_year,
        person=imp.staff.romain,
        amount=Decimal("625"),
        whole_year=False,
        start_date=start,
        end_date=start + datetime.timedelta(days=60),
        by=cast.principal_a,
    )
    ImpAward.objects.filter(pk=award.pk).update(state=State.VALIDATED)
    client = client_for(cast.principal_a)
    url = school_url(cast, "imp:award", award.pk)
    schedule_page = text(client.get(school_url(cast, "imp:schedule")))
    assert "Après service fait" in schedule_page
    data = extract_form_fields(client.get(url).content, "done-form")
    data["done-done_on"] = [timezone.localdate().isoformat()]
    assert "Le service fait est déclaré." in text(client.post(url, flat(data), follow=True))
    award.refresh_from_db()
    assert award.state == State.CLOSED
    rows = list(
        csv.reader(
            io.StringIO(client.get(school_url(cast, "imp:schedule_csv")).content.decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[1][4:] == [timezone.localdate().strftime("%Y-%m"), "625,00"]  # French Excel: a decimal comma


def test_dane_reads_but_cannot_change_an_award(client_for, cast, imp, make_award):
    award = make_award(imp.staff.alice, "625")
    response = client_for(cast.dane).post(school_url(cast, "imp:award", award.pk), {"action": "withdraw"})
    assert response.status_code == 403
    award.refresh_from_db()
    assert award.state == State.DRAFT


# --- 5. schedules ---------------------------------------------------------------------------------------------------


def test_schedule_page_and_csv_for_a_validated_whole_year_award(client_for, cast, imp, make_award):
    make_award(imp.staff.romain, "1250", state="validated")
    make_award(imp.staff.alice, "625", state="proposed")  # not validated: not in the schedule
    client = client_for(cast.principal_a)
    page = text(client.get(school_url(cast, "imp:schedule")))
    assert page.count('class="rupn-payment"') == 9
    assert "9 paiements" in page and euros("138,89") in page and euros("138,88") in page

    response = client.get(school_url(cast, "imp:schedule_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    y = cast.school_year.start_year
    assert rows[0] == ["uai", "nom", "prenom", "mission", "mois", "montant"]
    assert rows[1] == [
        cast.school_a.uai,
        "Référent",
        "Romain",
        "Référent pour les ressources et usages pédagogiques numériques",
        f"{y}-11",
        "138,89",
    ]
    assert [r[4] for r in rows[1:]] == [f"{y}-11", f"{y}-12"] + [f"{y + 1}-{m:02d}" for m in range(1, 8)]
    assert rows[-1][5] == "138,88"
    assert sum(Decimal(r[5].replace(",", ".")) for r in rows[1:]) == Decimal("1250.00")


def test_a_name_that_looks_like_a_formula_is_written_as_text_in_the_csv(client_for, cast, imp, make_award):
    imp.staff.romain.last_name = "=HYPERLINK(1)"
    imp.staff.romain.save(update_fields=["last_name"])
    make_award(imp.staff.romain, "1250", state="validated")
    response = client_for(cast.principal_a).get(school_url(cast, "imp:schedule_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert {r[1] for r in rows[1:]} == {"'=HYPERLINK(1)"}
    assert rows[1][5] == "138,89"


def test_referent_sees_and_downloads_only_their_own_payments(client_for, cast, imp, make_award):
    make_award(imp.staff.romain, "1250", state="validated")
    make_award(imp.staff.alice, "625", state="validated")
    client = client_for(cast.referent_a)
    page = text(client.get(reverse("imp:mine")))
    assert page.count('class="rupn-payment"') == 9 and "Alice Dupont" not in page
    rows = list(csv.reader(io.StringIO(client.get(reverse("imp:mine_csv")).content.decode("utf-8-sig")), delimiter=";"))
    assert {r[2] for r in rows[1:]} == {"Romain"} and len(rows) == 10
    assert client.get(school_url(cast, "imp:schedule_csv")).status_code == 403


def test_rectorat_downloads_a_school_schedule_of_its_academie_only(client_for, cast, imp, make_award):
    make_award(imp.staff.romain, "1250", state="validated")
    client = client_for(cast.rectorat)
    assert len(client.get(school_url(cast, "imp:schedule_csv")).content.decode().splitlines()) == 10
    url_c = reverse("imp:schedule_csv", args=[cast.school_c.uai, cast.school_year.name])
    assert client.get(url_c).status_code == 404


# --- query counts ---------------------------------------------------------------------------------------------------


def add_validated_awards(cast, count: int, *, school=None):
    school = school or cast.school_a
    Envelope.objects.filter(school=school, school_year=cast.school_year).update(amount=Decimal("999999"))
    EnvelopeFactory(school=school, school_year=cast.school_year, amount=Decimal("999999"))
    for _ in range(count):
        award = ImpAwardFactory(
            school=school,
            school_year=cast.school_year,
            person=PersonFactory(school=school),
            accepted=True,
        )
        award.leaves.create(
            kind="sick",
            start_date=datetime.date(cast.school_year.start_year + 1, 2, 1),
            end_date=datetime.date(cast.school_year.start_year + 1, 2, 10),
            salary_percent=50,
        )
        award.replacements.create(
            person=PersonFactory(school=school), start_date=datetime.date(cast.school_year.start_year + 1, 5, 16)
        )


def count_queries(client, url, params=None) -> int:
    client.get(url, params or {})  # the first visit may create next school year's row
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("url_name", "role"),
    [("imp:school", "principal_a"), ("imp:schedule", "principal_a"), ("imp:schedule", "rectorat")],
)
def test_school_pages_query_count_does_not_grow_with_awards(client_for, cast, imp, url_name, role):
    record_opinions(cast)
    client = client_for(getattr(cast, role))
    add_validated_awards(cast, 3)
    ImpAward.objects.update(state=State.VALIDATED)
    small = count_queries(client, school_url(cast, url_name))
    add_validated_awards(cast, 30)
    ImpAward.objects.update(state=State.VALIDATED)
    assert count_queries(client, school_url(cast, url_name)) == small


def test_validation_queue_query_count_does_not_grow_with_awards(client_for, cast, imp):
    record_opinions(cast)
    client = client_for(cast.rectorat)
    add_validated_awards(cast, 3)
    small = count_queries(client, reverse("imp:queue"), {"status": "all"})
    add_validated_awards(cast, 40, school=cast.school_b)
    record_opinions(cast, cast.school_b)
    assert count_queries(client, reverse("imp:queue"), {"status": "all"}) == small
    assert "43 IMP" in text(client.get(reverse("imp:queue"), {"status": "all"}))


def test_my_imp_and_envelopes_query_counts_do_not_grow(client_for, cast, imp):
    add_validated_awards(cast, 2)
    ImpAward.objects.update(state=State.VALIDATED)
    rectorat = client_for(cast.rectorat)
    small = count_queries(rectorat, reverse("imp:envelopes"))
    for _ in range(20):
        EnvelopeFactory(
            school=SchoolFactory(departement=cast.school_a.departement, collectivity=cast.cd21),
            school_year=cast.school_year,
        )
    assert count_queries(rectorat, reverse("imp:envelopes")) == small


def test_referent_does_not_see_the_principals_drafts(client_for, cast, imp, make_award):
    draft = make_award(imp.staff.romain, "625")
    client = client_for(cast.referent_a)
    assert f"award-{draft.pk}" not in text(client.get(reverse("imp:mine")))
    services.award_withdraw(award=draft, by=cast.principal_a)
    assert f"award-{draft.pk}" not in text(client.get(reverse("imp:mine")))
    proposed = make_award(imp.staff.romain, "1250", state="proposed")
    services.award_withdraw(award=proposed, by=cast.principal_a)
    page = text(client.get(reverse("imp:mine")))
    assert f"award-{proposed.pk}" in page and "Retirée" in page


def test_garbage_identifiers_are_404_not_errors(client_for, cast, imp, make_award):
    award = make_award(imp.staff.romain, state="validated")
    assert client_for(cast.referent_a).post(reverse("imp:mine"), {"award": "x", "action": "accept"}).status_code == 404
    principal = client_for(cast.principal_a)
    url = school_url(cast, "imp:award", award.pk)
    assert principal.post(url, {"action": "leave_remove", "leave": "x"}).status_code == 404
    assert principal.post(url, {"action": "nothing"}).status_code == 404
    assert client_for(cast.rectorat).post(reverse("imp:queue"), {"validate": "x"}).status_code == 404
