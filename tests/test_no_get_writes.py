"""Looking changes nothing: every GET URL of the access matrix, opened by each member of the cast, leaves every
table as it was (row counts, and the columns that say a row changed: updated…, version).

The URLs and the objects they name come from the access matrix (tests/test_access_matrix.py: MATRIX, ROLES,
matrix_urls); next year's table and rentrée page are added, a year without a plan being where a GET once wrote.
"""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from missions.models import AllocationPlan
from schools.models import SchoolYear
from tests.test_access_matrix import MATRIX, ROLES, matrix_urls

pytestmark = pytest.mark.django_db


def _watched(column: str) -> bool:
    return column.startswith("updated") or column == "version"


def snapshot() -> dict[str, tuple]:
    """Each table's row count and the values of its "changed" columns, in primary-key order."""
    state = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 (the database's own table names)
            count = cursor.fetchone()[0]
            description = connection.introspection.get_table_description(cursor, table)
            columns = [c.name for c in description if _watched(c.name)]
            values: list = []
            if columns:
                names = ", ".join(connection.ops.quote_name(c) for c in columns)
                cursor.execute(f"SELECT {names} FROM {quoted} ORDER BY 1, {names}")  # noqa: S608
                values = cursor.fetchall()
            state[table] = (count, values)
    return state


def test_no_get_request_writes_anything_for_any_member_of_the_cast(cast):
    urls = [url for name, url in matrix_urls(cast).items() if MATRIX[name][0] == "get"]
    next_year = SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year + 1)[0]
    # next year has no plan yet, and this year's (matrix_urls starts it) is there to copy
    for name in ("missions:allocation", "missions:plan_rollover"):
        urls.append(reverse(name, args=[cast.school_a.uai, next_year.name]))
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        if role != "anonymous":
            clients[role].force_login(getattr(cast, role))
    before = snapshot()
    for role, client in clients.items():
        for url in urls:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            assert response.status_code < 500, f"{role} GET {url}"
    after = snapshot()
    changed = {table: (before[table][0], after[table][0]) for table in before if before[table] != after[table]}
    assert not changed, f"tables changed by GET requests (rows before, after): {changed}"
    assert not AllocationPlan.objects.filter(school_year=next_year).exists()
