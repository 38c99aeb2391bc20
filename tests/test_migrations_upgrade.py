"""A database of the layout before the apps split (the leaf migrations of that main, demo loaded) upgrades to
the new layout without losing a row: the moved models kept their tables (db_table + SeparateDatabaseAndState).
A fresh database migrating is what every other test's database already proves."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The leaf migrations of main before the split: activity, events, notifications and documents did not exist.
BEFORE_SPLIT = [
    ("schools", "0004_person_left_on"),
    ("missions", "0007_dashboard_indexes"),
    ("imp", "0003_history"),
    ("badges", "0001_initial"),
    ("recognition", "0001_projects"),
    ("rupn", "0001_print_batch"),
    ("activity", None),
    ("events", None),
    ("notifications", None),
    ("documents", None),
    ("helpdesk", None),
]
NEW_TABLES = {"notifications_outbox"}  # created by a migration after the split
MOVED_TABLES = [
    "missions_activityentry",
    "missions_review",
    "missions_review_referents",
    "missions_event",
    "missions_eventregistration",
    "missions_sentemail",
    "missions_remindersettings",
    "rupn_printbatch",
]


# Apps that the split did not touch go to their newest migration first: the demo is loaded by today's code, so
# their tables need today's columns (e.g. imp's BoardOpinion.deliberation_number, added after the split).
UNTOUCHED_BY_SPLIT = {"imp", "schools", "helpdesk"}  # helpdesk came later: it only needs the old missions


def before_split_targets() -> list:
    leaves = dict(MigrationExecutor(connection).loader.graph.leaf_nodes())
    return [(app, leaves[app] if app in UNTOUCHED_BY_SPLIT else name) for app, name in BEFORE_SPLIT]


def migrate_to(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def snapshot() -> dict[str, tuple[int, list[tuple]]]:
    """Each table's row count and its first rows (by its first column, then all columns)."""
    found = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table == "django_migrations":
                continue
            name = connection.ops.quote_name(table)
            cursor.execute(f"SELECT count(*) FROM {name}")
            count = cursor.fetchone()[0]
            cursor.execute(f"SELECT * FROM {name} ORDER BY 1 LIMIT 20")
            found[table] = (count, [tuple(map(str, row)) for row in cursor.fetchall()])
    return found


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_old_layout_keeps_every_row_through_the_new_migrations(monkeypatch):
    migrate_to(before_split_targets())
    recorder_apps = {app for app, _name in MigrationExecutor(connection).recorder.applied_migrations()}
    assert "activity" not in recorder_apps and "documents" not in recorder_apps
    # Today's code loads the demo; its plan submission queues its e-mails in the outbox, a table the old layout did
    # not have (notifications came with the split): those e-mails are not what this test is about.
    monkeypatch.setattr("missions.services.outbox_enqueue", lambda task, *args: None)
    call_command("load_demo", verbosity=0)
    before = snapshot()
    assert all(before[table][0] > 0 for table in ["missions_activityentry", "missions_review", "missions_event"])

    migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())

    after = snapshot()
    # Tables the new migrations create start empty (the outbox came after the split); every other table is kept.
    assert set(after) - set(before) == NEW_TABLES and all(after.pop(table)[0] == 0 for table in NEW_TABLES)
    assert set(after) == set(before)
    assert {table: rows[0] for table, rows in after.items()} == {table: rows[0] for table, rows in before.items()}
    assert after == before
    for table in MOVED_TABLES:
        assert table in after
    # The content types followed their models (the admin log and permissions still point at them).
    with connection.cursor() as cursor:
        cursor.execute("SELECT app_label FROM django_content_type WHERE model = 'activityentry'")
        assert [row[0] for row in cursor.fetchall()] == ["activity"]
