"""Two principals' sessions saving at the same moment never exceed the envelope: real concurrent transactions.

Each thread has its own database connection (Django's connections are per thread); the test uses
transactional_db so that the threads see the committed cast. PostgreSQL is required: SQLite serialises
writers on the whole database and would prove nothing. `make test` runs these on PostgreSQL.
"""

import os
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from imp import services
from imp.models import ImpAward
from rupn.lib.errors import DomainError

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI") == "true" or os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.fail(f"The envelope concurrency tests must run on PostgreSQL, not {connection.vendor}.")
    pytest.skip("needs PostgreSQL: run `make test`")


def propose(cast, person, amount: str):
    return services.award_create(
        school=cast.school_a,
        school_year=cast.school_year,
        person=person,
        amount=Decimal(amount),
        whole_year=True,
        by=cast.principal_a,
    )


def in_thread(target) -> threading.Thread:
    def run():
        try:
            target()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_second_proposal_waits_for_the_first_and_sees_it(cast, imp):
    """A holds the envelope lock inside its transaction; B must wait for A's commit, then is refused."""
    assert connection.vendor == "postgresql"
    a_saved, a_may_commit, b_done = threading.Event(), threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def session_a():
        with transaction.atomic():
            outcome["a"] = propose(cast, imp.staff.alice, "2500")
            a_saved.set()
            assert a_may_commit.wait(20)

    def session_b():
        try:
            outcome["b"] = propose(cast, imp.staff.bruno, "2500")
        except DomainError as error:
            outcome["b"] = error
        finally:
            b_done.set()

    thread_a = in_thread(session_a)
    assert a_saved.wait(20)
    thread_b = in_thread(session_b)
    blocked = not b_done.wait(1.5)  # B is waiting on the envelope row that A locked
    a_may_commit.set()
    thread_a.join(20)
    thread_b.join(20)

    assert blocked, "the second proposal did not wait for the envelope lock"
    assert isinstance(outcome["a"], ImpAward)
    assert isinstance(outcome["b"], DomainError)
    assert "dépasserait l'enveloppe" in outcome["b"].message
    assert "déjà engagé 2\u00a0500,00\u00a0€" in outcome["b"].message
    assert list(ImpAward.objects.values_list("person__first_name", flat=True)) == ["Alice"]


def test_proposals_released_together_fill_the_envelope_and_no_more(cast, imp):
    """Four sessions propose 1 250 € at the same instant against 3 750 €: exactly three succeed."""
    assert connection.vendor == "postgresql"
    people = [imp.staff.alice, imp.staff.bruno, imp.staff.cpe, imp.staff.romain]
    start = threading.Barrier(len(people))
    results: list[object] = []
    lock = threading.Lock()

    def session(person):
        def run():
            start.wait(20)
            try:
                result = propose(cast, person, "1250")
            except DomainError as error:
                result = error
            with lock:
                results.append(result)

        return run

    threads = [in_thread(session(person)) for person in people]
    for thread in threads:
        thread.join(30)

    assert len(results) == 4
    assert sum(isinstance(r, ImpAward) for r in results) == 3
    assert sum(isinstance(r, DomainError) for r in results) == 1
    assert services.committed_total(cast.school_a, cast.school_year) == Decimal("3750.00")
