"""The two strict fixtures of tests/conftest.py, from les-emplois: unordered querysets come in random order, and
select_for_update() with select_related() is refused."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from schools.models import Person, School
from tests.conftest import SelectForUpdateWithSelectRelated
from tests.factories import PersonFactory


def sql_of(queryset) -> str:
    with CaptureQueriesContext(connection) as queries:
        list(queryset)
    return queries[-1]["sql"]


# Our models all have a Meta.ordering; ContentType has none and already holds a row per model.
@pytest.mark.django_db
def test_a_queryset_without_ordering_is_read_in_random_order():
    assert "ORDER BY RANDOM()" in sql_of(ContentType.objects.filter(app_label="schools"))
    assert "RANDOM()" not in sql_of(School.objects.all())  # Meta.ordering is an order


@pytest.mark.django_db
def test_ordered_distinct_and_explicitly_unordered_querysets_are_left_alone():
    assert "RANDOM()" not in sql_of(ContentType.objects.order_by("pk"))
    assert "RANDOM()" not in sql_of(ContentType.objects.order_by())
    assert "RANDOM()" not in sql_of(ContentType.objects.values("app_label").distinct())


@pytest.mark.django_db
def test_the_random_order_changes_between_reads():
    orders = {tuple(ContentType.objects.values_list("pk", flat=True)) for _ in range(10)}
    assert len(orders) > 1


@pytest.mark.django_db
def test_aggregates_still_group_rows():
    counts = list(ContentType.objects.values("app_label").annotate(n=Count("pk")))
    by_app = {row["app_label"]: row["n"] for row in counts}
    assert len(by_app) == len(counts)
    assert by_app["schools"] == ContentType.objects.filter(app_label="schools").count()


@pytest.mark.django_db
def test_select_for_update_with_select_related_is_refused():
    PersonFactory()
    with transaction.atomic(), pytest.raises(SelectForUpdateWithSelectRelated):
        list(Person.objects.select_for_update().select_related("school"))


@pytest.mark.django_db
def test_select_for_update_alone_or_naming_its_tables_is_allowed():
    PersonFactory()
    with transaction.atomic():
        assert len(Person.objects.select_for_update()) == 1
        assert len(Person.objects.select_for_update(of=("self",)).select_related("school")) == 1
