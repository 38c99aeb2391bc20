"""The dashboard's SQL count rules agree with missions.rules.check_plan, on random plans."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import selectors
from missions.models import AllocationPlan
from missions.selectors import plan_for, plan_view
from missions.services import plan_get_or_create
from tests.factories import PersonFactory

ROWS = 16  # more than the catalogue's rows: the extra draws are unused


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    holders=st.lists(st.sets(st.integers(min_value=0, max_value=2), max_size=3), min_size=ROWS, max_size=ROWS),
    has_tablets=st.booleans(),
    leaving=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_sql_blocking_and_leaving_counts_agree_with_check_plan(cast, holders, has_tablets, leaving):
    people = list(cast.school_a.staff.order_by("pk")[:3])
    while len(people) < 3:
        people.append(PersonFactory(school=cast.school_a))
    for person, leaves in zip(people, leaving, strict=True):
        person.leaving = leaves
        person.save(update_fields=["leaving"])
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    AllocationPlan.objects.filter(pk=plan.pk).update(has_tablets=has_tablets)
    for row, chosen in zip(plan.rows.order_by("pk"), holders, strict=False):
        row.holders.set([people[i] for i in chosen])

    check = plan_view(plan_for(cast.school_a, cast.school_year)).check
    row = selectors.school_rows([cast.dijon.pk], cast.school_year).get(pk=cast.school_a.pk)

    assert row.blocking == check.has_blocking
    all_ok = selectors.figures([cast.dijon.pk], cast.school_year)["total"]["all_ok"]
    assert all_ok == (0 if check.has_blocking else 1)  # school B has no plan: never "all satisfied"
    leaving_messages = sum(
        1 for messages in check.row_messages.values() for m in messages if "quitte l'établissement" in m.text
    )
    assert row.single_leaving == leaving_messages
    assert row.referents == len(check.training_ids)
