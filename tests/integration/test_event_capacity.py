"""Two referents asking for the last seat at the same moment: the event row lock lets one through (PostgreSQL)."""

import threading

import pytest
from django.db import connection, transaction

from events.models import EventRegistration
from events.services import event_register
from rupn.lib.errors import DomainError
from schools.models import Role
from tests.factories import EventFactory, PersonFactory, RoleFactory, UserFactory


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's (make test runs it)")
def test_the_last_seat_goes_to_one_referent_only(transactional_db, cast):
    event = EventFactory(academie=cast.dijon, capacity=1)
    other = UserFactory(email="ref.b@ac-dijon.fr")
    RoleFactory(user=other, kind=Role.Kind.REFERENT, school=cast.school_b)
    PersonFactory(school=cast.school_b, user=other, email=other.email)
    first_holds_its_seat = threading.Event()
    outcomes: dict[str, str] = {}

    def first():
        try:
            with transaction.atomic():
                event_register(event=event, user=cast.referent_a)
                first_holds_its_seat.set()
                threading.Event().wait(0.5)  # the second referent asks now, before this commits
            outcomes["first"] = "inscrit"
        finally:
            connection.close()

    def second():
        first_holds_its_seat.wait(5)
        try:
            event_register(event=event, user=other)
            outcomes["second"] = "inscrit"
        except DomainError as error:
            outcomes["second"] = error.message
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert outcomes == {"first": "inscrit", "second": "Cet événement est complet : il ne reste aucune place."}
    assert list(EventRegistration.objects.values_list("user_id", flat=True)) == [cast.referent_a.pk]
