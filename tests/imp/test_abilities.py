"""What each member of the cast may do with an award, an equipment request, a point d'étape, by state."""

import pytest

from activity.models import REVIEW_TRANSITIONS, Review
from imp.models import AWARD_TRANSITIONS, ImpAward
from schools.access import school_perms
from schools.models import EquipmentRequest
from tests.factories import EquipmentRequestFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def allowed(abilities) -> set[str]:
    return {action for action, may in abilities.items() if may}


def test_the_principal_changes_a_draft_and_the_rectorat_may_do_nothing_with_it(cast, imp, make_award):
    award = make_award(imp.staff.alice)
    assert allowed(award.abilities(cast.principal_a)) == {"propose", "withdraw", "update"}
    assert allowed(award.abilities(cast.rectorat)) == set()
    assert allowed(award.abilities(cast.referent_a)) == set()


def test_only_its_holder_answers_a_proposed_award(cast, imp, make_award):
    award = make_award(imp.staff.romain, state="proposed")
    assert allowed(award.abilities(cast.referent_a)) == {"accept", "decline"}
    assert allowed(award.abilities(cast.principal_a)) == {"withdraw", "update"}


def test_the_rectorat_validates_an_accepted_award_and_the_principal_follows_it(cast, imp, make_award):
    award = make_award(imp.staff.alice, state="accepted")
    assert allowed(award.abilities(cast.rectorat)) == {"validate", "reject"}
    assert allowed(award.abilities(cast.principal_a)) == {"withdraw", "update", "follow"}
    assert allowed(award.abilities(cast.dane)) == set()  # the DANE reads the IMP pages, nothing more


def test_a_validated_award_is_put_into_payment_or_closed_not_changed(cast, imp, make_award):
    award = make_award(imp.staff.alice, state="validated")
    assert allowed(award.abilities(cast.rectorat)) == {"start_payment"}
    assert allowed(award.abilities(cast.principal_a)) == {"close", "follow"}


@pytest.mark.parametrize("state", [s for s, _label in ImpAward.State.choices])
def test_an_award_allows_an_action_only_from_the_states_of_the_transition_table(cast, imp, make_award, state):
    award = make_award(imp.staff.romain)
    award.state = state  # not saved: abilities read the state only
    every = award.abilities(cast.principal_a) | award.abilities(cast.rectorat) | award.abilities(cast.referent_a)
    may = {action for action in AWARD_TRANSITIONS if any(a.abilities(u)[action] for a, u in _all(award, cast))}
    assert may == {action for action, (sources, _target, _who) in AWARD_TRANSITIONS.items() if state in sources}
    assert set(every) == set(AWARD_TRANSITIONS)


def _all(award, cast):
    return [(award, cast.principal_a), (award, cast.rectorat), (award, cast.referent_a)]


@pytest.mark.parametrize(
    ("state", "school_side", "collectivity_side"),
    [
        ("draft", {"edit", "delete", "move", "send"}, set()),
        ("sent", {"move"}, {"accept", "deliver", "refuse", "answer"}),
        ("accepted", set(), {"deliver", "refuse", "answer"}),
        ("refused", set(), set()),
        ("delivered", set(), set()),
    ],
)
def test_an_equipment_request_is_kept_by_the_school_then_answered_by_the_collectivity(
    cast, state, school_side, collectivity_side
):
    item = EquipmentRequestFactory.build(school=cast.school_a, school_year=cast.school_year, state=state)
    assert allowed(item.abilities(school_perms(cast.principal_a, cast.school_a))) == school_side
    assert allowed(item.abilities(school_perms(cast.collectivity_a, cast.school_a))) == collectivity_side


def test_the_collectivity_is_first_offered_to_accept_then_to_deliver(cast):
    sent = EquipmentRequestFactory.build(school=cast.school_a, state=EquipmentRequest.State.SENT)
    accepted = EquipmentRequestFactory.build(school=cast.school_a, state=EquipmentRequest.State.ACCEPTED)
    assert (sent.next_answer, accepted.next_answer) == ("accepted", "delivered")


def test_a_point_d_etape_is_rescheduled_or_deleted_until_it_is_done_and_its_minutes_completed_after(cast):
    review = ReviewFactory.build(school=cast.school_a, school_year=cast.school_year)
    principal, referent = school_perms(cast.principal_a, cast.school_a), school_perms(cast.referent_a, cast.school_a)
    assert allowed(review.abilities(principal)) == set(REVIEW_TRANSITIONS)
    assert allowed(review.abilities(referent)) == set()
    review.state = Review.State.DONE
    assert allowed(review.abilities(principal)) == {"record_minutes"}
