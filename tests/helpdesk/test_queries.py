"""The book's lists, the team page and the sessions read a fixed number of queries whatever their size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import HelpRequestFactory, TeamSessionFactory


def fill(team, n):
    for i in range(n):
        author = team.teacher_a_person if i % 2 else team.teacher_a2_person
        HelpRequestFactory(school=team.school_a, author=author, handler=team.referent_person if i % 3 else None)
        TeamSessionFactory(school=team.school_a, referent=team.referent_person)


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["referent_a", "teacher_a"])
@pytest.mark.parametrize("page", ["demandes/", "numerique/", "sessions/"])
def test_the_count_does_not_grow_with_the_data(client_for, submitted, who, page):
    client = client_for(getattr(submitted, who))
    url = f"/etablissements/{submitted.school_a.uai}/{page}"
    fill(submitted, 2)
    small = count(client, url)
    fill(submitted, 30)
    assert count(client, url) == small


def test_the_books_list_has_its_pinned_count(client_for, submitted, django_assert_num_queries):
    fill(submitted, 20)
    client = client_for(submitted.referent_a)
    client.get(f"/etablissements/{submitted.school_a.uai}/demandes/")  # session and scopes warm
    with django_assert_num_queries(7):
        client.get(f"/etablissements/{submitted.school_a.uai}/demandes/")
