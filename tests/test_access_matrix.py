"""Who sees what: every URL of the project (admin aside) for every member of the cast.

A URL missing from MATRIX fails test_every_url_has_an_expected_outcome, so no page
is added without saying who may open it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from missions.services import plan_get_or_create
from tests.factories import ActivityEntryFactory, EventFactory, ReviewFactory

ROLES = [
    "anonymous",
    "referent_a",
    "principal_a",
    "principal_b",
    "dane",
    "dane_other",
    "rectorat",
    "collectivity_a",
    "collectivity_other",
]
LOGIN = "login"  # 302 to the login page

# url name -> (method, path template, expected status per role in ROLES order)
SCHOOL_READ = [LOGIN, 200, 200, 404, 200, 404, 200, 200, 404]
PRINCIPAL_ONLY = [LOGIN, 403, 200, 404, 403, 404, 403, 403, 404]
REFERENT_ONLY = [LOGIN, 200, 403, 403, 403, 403, 403, 403, 403]
DANE_ONLY = [LOGIN, 403, 403, 403, 200, 200, 403, 403, 403]
EVERYONE = [LOGIN, 200, 200, 200, 200, 200, 200, 200, 200]
REVIEW_READ = [LOGIN, 200, 200, 404, 200, 404, 200, 403, 404]
EVENT_READ = [LOGIN, 200, 200, 200, 200, 404, 200, 200, 404]  # an event of the académie de Dijon
EVENT_REFERENT_POST = [LOGIN, 302, 403, 403, 403, 404, 403, 403, 404]
EVENT_DANE = [LOGIN, 403, 403, 403, 200, 404, 403, 403, 404]
MATRIX = {
    "login": ("get", "/connexion/", [200, 302, 302, 302, 302, 302, 302, 302, 302]),
    "logout": ("post", "/deconnexion/", [302] * 9),
    "schools:home": ("get", "/", [LOGIN, 302, 302, 302, 200, 200, 200, 200, 200]),
    "schools:detail": ("get", "/etablissements/{uai}/", SCHOOL_READ),
    "schools:staff": ("get", "/etablissements/{uai}/personnels/", PRINCIPAL_ONLY),
    "schools:person_edit": ("get", "/etablissements/{uai}/personnels/{person}/", PRINCIPAL_ONLY),
    "missions:allocation": ("get", "/etablissements/{uai}/{year}/repartition/", SCHOOL_READ),
    "missions:allocation_check": ("post", "/etablissements/{uai}/{year}/repartition/verifier/", PRINCIPAL_ONLY),
    "missions:plan_rollover": ("get", "/etablissements/{uai}/{year}/repartition/reprendre/", PRINCIPAL_ONLY),
    "missions:activity": ("get", "/activite/", REFERENT_ONLY),
    "missions:activity_export": ("get", "/activite/export.csv", REFERENT_ONLY),
    "missions:activity_edit": ("get", "/activite/{entry}/modifier/", REFERENT_ONLY),
    "missions:activity_delete": ("get", "/activite/{entry}/supprimer/", REFERENT_ONLY),
    "missions:school_activity": ("get", "/etablissements/{uai}/{year}/activite/", PRINCIPAL_ONLY),
    "missions:school_activity_export": ("get", "/etablissements/{uai}/{year}/activite/export.csv", PRINCIPAL_ONLY),
    "missions:dane_activity": ("get", "/dane/activite/", DANE_ONLY),
    "missions:reviews": ("get", "/etablissements/{uai}/{year}/points-etape/", REVIEW_READ),
    "missions:review_detail": ("get", "/etablissements/{uai}/{year}/points-etape/{review}/", REVIEW_READ),
    "missions:review_delete": (
        "post",
        "/etablissements/{uai}/{year}/points-etape/{review}/supprimer/",
        [LOGIN, 403, 302, 404, 302, 404, 403, 403, 404],
    ),
    "missions:dane_reviews": ("get", "/dane/points-etape/", DANE_ONLY),
    "missions:events": ("get", "/evenements/", EVERYONE),
    "missions:event_create": ("get", "/evenements/nouveau/", DANE_ONLY),
    "missions:event_detail": ("get", "/evenements/{event}/", EVENT_READ),
    "missions:event_edit": ("get", "/evenements/{event}/modifier/", EVENT_DANE),
    "missions:event_register": ("post", "/evenements/{event}/inscription/", EVENT_REFERENT_POST),
    "missions:event_unregister": ("post", "/evenements/{event}/desinscription/", EVENT_REFERENT_POST),
    "missions:event_attendance": (
        "post",
        "/evenements/{event}/presences/",
        [LOGIN, 403, 403, 403, 302, 404, 403, 403, 404],
    ),
    "missions:event_calendar": ("get", "/evenements/{event}/evenement.ics", EVENT_READ),
    "missions:my_reminders": ("get", "/rappels/", EVERYONE),
}


def matrix_objects(cast) -> dict[str, int]:
    """The objects the URLs name: an activity of referent_a, a review of school A, an event of Dijon."""
    return {
        "entry": ActivityEntryFactory(person=cast.referent_person).pk,
        "review": ReviewFactory(school=cast.school_a, school_year=cast.school_year).pk,
        "event": EventFactory(academie=cast.dijon).pk,
    }


def project_url_names(patterns=None, namespace="") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= project_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name"
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_an_expected_outcome():
    assert project_url_names() == set(MATRIX)


def test_a_url_missing_from_the_matrix_is_reported():
    from django.urls import path

    extra = [URLResolver(r"^", [path("nouvelle-page/", lambda r: None, name="new_page")])]
    assert "new_page" in project_url_names(extra) - set(MATRIX)


CASES = [
    (name, role, expected)
    for name, (_m, _p, outcomes) in MATRIX.items()
    for role, expected in zip(ROLES, outcomes, strict=True)
]


@pytest.mark.parametrize(("name", "role", "expected"), CASES, ids=[f"{n}-{r}" for n, r, _ in CASES])
def test_access(client_for, cast, name, role, expected):
    plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    method, template, _outcomes = MATRIX[name]
    url = template.format(
        uai=cast.school_a.uai, year=cast.school_year.name, person=cast.referent_person.pk, **matrix_objects(cast)
    )
    client = client_for(None if role == "anonymous" else getattr(cast, role))
    response = getattr(client, method)(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/?next=")
    else:
        assert response.status_code == expected, f"{role} {method.upper()} {url}"


def test_principal_of_other_school_gets_404_on_a_lowercase_uai_too(client_for, cast):
    client = client_for(cast.principal_b)
    assert client.get(f"/etablissements/{cast.school_a.uai.lower()}/").status_code == 404
    assert client_for(cast.principal_a).get(f"/etablissements/{cast.school_a.uai.lower()}/").status_code == 200
