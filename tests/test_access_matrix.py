"""Who sees what: every URL of the project (admin aside) for every member of the cast.

A URL missing from MATRIX fails test_every_url_has_an_expected_outcome, so no page
is added without saying who may open it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from missions.services import plan_get_or_create
from tests.factories import ImpAwardFactory

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
IMP_READ = [LOGIN, 403, 200, 404, 200, 404, 200, 403, 404]  # principal, DANE, rectorat; referents use /mes-imp/
SIGNED_IN = [LOGIN, 200, 200, 200, 200, 200, 200, 200, 200]
RECTORAT_ONLY = [LOGIN, 403, 403, 403, 403, 403, 200, 403, 403]
MATRIX = {
    "login": ("get", "/connexion/", [200, 302, 302, 302, 302, 302, 302, 302, 302]),
    "logout": ("post", "/deconnexion/", [302] * 9),
    "schools:home": ("get", "/", [LOGIN, 302, 302, 302, 200, 200, 200, 200, 200]),
    "schools:detail": ("get", "/etablissements/{uai}/", SCHOOL_READ),
    "schools:staff": ("get", "/etablissements/{uai}/personnels/", PRINCIPAL_ONLY),
    "schools:person_edit": ("get", "/etablissements/{uai}/personnels/{person}/", PRINCIPAL_ONLY),
    "missions:allocation": ("get", "/etablissements/{uai}/{year}/repartition/", SCHOOL_READ),
    "missions:allocation_check": ("post", "/etablissements/{uai}/{year}/repartition/verifier/", PRINCIPAL_ONLY),
    "imp:school": ("get", "/etablissements/{uai}/{year}/imp/", IMP_READ),
    "imp:award": ("get", "/etablissements/{uai}/{year}/imp/{award}/", IMP_READ),
    "imp:schedule": ("get", "/etablissements/{uai}/{year}/imp/echeancier/", IMP_READ),
    "imp:schedule_csv": ("get", "/etablissements/{uai}/{year}/imp/echeancier.csv", IMP_READ),
    "imp:mine": ("get", "/mes-imp/", SIGNED_IN),
    "imp:mine_csv": ("get", "/mes-imp/echeancier.csv", SIGNED_IN),
    "imp:queue": ("get", "/rectorat/imp/", RECTORAT_ONLY),
    "imp:envelopes": ("get", "/rectorat/enveloppes/", RECTORAT_ONLY),
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
    award = ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, person=cast.referent_person)
    method, template, _outcomes = MATRIX[name]
    url = template.format(
        uai=cast.school_a.uai, year=cast.school_year.name, person=cast.referent_person.pk, award=award.pk
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
