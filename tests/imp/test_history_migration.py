"""The migration that drops simple-history for awards and envelopes keeps every change it had recorded."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from imp.models import AwardEvent, EnvelopeChange

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("imp", "0004_board_opinion_deliberation_number")]
AFTER = [("imp", "0005_awards_and_envelopes_keep_their_own_history")]


@pytest.fixture(autouse=True)
def _newest_migrations_afterwards(transactional_db):
    """AFTER is not the newest imp migration: the next tests find every migration applied again."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_a_change_only_simple_history_saw_becomes_an_event_and_the_others_are_not_doubled(cast, imp, make_award):
    award = make_award(imp.staff.alice, "1250")  # its creation event, written by the service
    created = AwardEvent.objects.get(award=award)
    envelope = imp.envelope
    old = _migrate(BEFORE)
    history = old.get_model("imp", "HistoricalImpAward")
    common = {
        "id": award.pk,
        "school_id": award.school_id,
        "school_year_id": award.school_year_id,
        "person_id": award.person_id,
        "mission": award.mission,
        "rate_id": award.rate_id,
        "whole_year": True,
        "start_date": award.start_date,
        "end_date": award.end_date,
        "decline_reason": "",
        "rejection_reason": "",
        "created_at": award.created_at,
        "history_user_id": cast.principal_a.pk,
    }
    history.objects.create(**common, state="draft", history_type="+", history_date=created.at)  # has its event
    edited = created.at + datetime.timedelta(days=2)
    history.objects.create(**common, state="proposed", history_type="~", history_date=edited)  # an admin edit
    old.get_model("imp", "HistoricalEnvelope").objects.create(
        id=envelope.pk,
        school_id=envelope.school_id,
        school_year_id=envelope.school_year_id,
        amount=D("3750.00"),
        history_type="+",
        history_date=edited,
        history_user_id=cast.rectorat.pk,
    )

    _migrate(AFTER)

    events = list(AwardEvent.objects.filter(award=award).order_by("at", "pk"))
    assert [(e.kind, e.at, e.by_id) for e in events] == [
        ("created", created.at, cast.principal_a.pk),
        ("updated", edited, cast.principal_a.pk),
    ]
    assert {"field": "État", "before": "Brouillon", "after": "Proposée à l'intéressé(e)"} in events[1].changes
    change = EnvelopeChange.objects.get(envelope=envelope)
    assert (change.before, change.after, change.changed_at, change.changed_by) == (
        None,
        D("3750.00"),
        edited,
        cast.rectorat,
    )
