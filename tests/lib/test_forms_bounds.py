"""An id read from a request is a row's primary key or nothing: never a number SQLite or PostgreSQL refuses."""

import pytest

from rupn.lib.forms import ID_MAX, object_id


@pytest.mark.parametrize(
    "value,expected",
    [
        ("42", 42),
        (str(ID_MAX), ID_MAX),
        (str(ID_MAX + 1), None),  # SQLite: OverflowError; PostgreSQL: out of range for bigint
        ("9999999999999999999999999", None),
        ("0", None),
        ("-3", None),
        ("٣", None),  # an Arabic-Indic digit: isdecimal() but not an id
        ("4 2", None),
        ("", None),
        (None, None),
    ],
)
def test_object_id_keeps_to_the_primary_keys_range(value, expected):
    assert object_id(value) == expected
