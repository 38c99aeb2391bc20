"""The access matrix widened (issue 16): every method a view accepts, one's own school's UAI with another school's
object, another school's ids in POST bodies and query strings — and a POST that changes rows it may not reach
fails, by a fingerprint of the tables taken before and after each request.

tests/test_access_matrix.py says who gets what on the method each URL is opened with; here:
- every URL that takes a POST besides its GET is posted to by every member of the cast, with the fields of its
  page's forms and another school's ids in each choice: a role the GET refuses is refused the POST too and nothing
  at all is written; a role the GET lets in changes no row of a school outside its scope;
- every URL naming a school and an object is asked with a school's UAI its caller reaches and school A's object:
  404 (403 when the role may not use the page at all), nothing written;
- every GET URL is asked with another school's ids in its query string: the same answer as without, and no name
  of a school outside the caller's scope in the page.
"""

import hashlib

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.test import Client

from schools.models import School
from tests.factories import PersonFactory
from tests.test_access_matrix import FILE_URLS, LOGIN, MATRIX, ROLES, matrix_urls, outcome_of, roles_opening
from tests.test_bad_input import page_forms

OUR_APPS = ("schools", "missions", "activity", "events", "imp", "documents", "badges", "recognition", "notifications")
REFUSED = (LOGIN, 403, 404, 405)
NOT_WRITTEN = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}


def _school_path(model, depth: int = 3) -> str | None:
    """The lookup from the model to its School ("school", "plan__school", …), or None when it has none."""
    if model is School:
        return "pk"
    if depth == 0:
        return None
    for field in model._meta.get_fields():
        if isinstance(field, models.ForeignKey) and field.related_model is School:
            return field.name
    for field in model._meta.get_fields():
        if isinstance(field, models.ForeignKey) and field.related_model is not model:
            inner = _school_path(field.related_model, depth - 1)
            if inner and inner != "pk":
                return f"{field.name}__{inner}"
    return None


def _digest(rows) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def fingerprint() -> dict[str, tuple]:
    """Every table: its row count and a checksum of its rows (PostgreSQL, one query)."""
    tables = sorted(set(connection.introspection.table_names()) - NOT_WRITTEN)
    parts = [
        f"SELECT '{t}', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM \"{t}\" x"
        for t in tables
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return {name: (count, digest) for name, count, digest in cursor.fetchall()}


def schools_fingerprint(schools) -> dict[str, str]:
    """The rows of every model of ours that belong to one of these schools (through its path to School)."""
    result = {}
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            path = _school_path(model)
            if path is None:
                continue
            rows = model.objects.filter(**{f"{path}__in": [s.pk for s in schools]}).order_by("pk").values_list()
            result[model._meta.label] = _digest(list(rows))
    return result


def scope_of(cast, role: str) -> set:
    """The schools a member of the cast reaches."""
    a, b, c = cast.school_a, cast.school_b, cast.school_c
    return {
        "anonymous": set(),
        "referent_a": {a},
        "referent_a2": {a},
        "principal_a": {a},
        "principal_b": {b},
        "referent_b": {b},
        "dane": {a, b},
        "rectorat": {a, b},
        "collectivity_a": {a, b},
        "dane_other": {c},
        "collectivity_other": {c},
    }[role]


def outside(cast, role: str, url: str) -> list:
    """The schools whose rows a request of this role on this URL may not change: those outside the role's scope,
    and on a page of school A every other school."""
    others = {cast.school_a, cast.school_b, cast.school_c} - scope_of(cast, role)
    if f"/etablissements/{cast.school_a.uai}/" in url:
        others |= {cast.school_b, cast.school_c}
    return sorted(others, key=lambda s: s.pk)


def client_of(cast, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    return client


@pytest.fixture
def foreign_ids(cast) -> list[str]:
    """Ids of school B's and school C's objects (and their UAIs) to put where a form expects one of its own."""
    person_b = PersonFactory(school=cast.school_b, email="b@ac-dijon.fr")
    person_c = PersonFactory(school=cast.school_c, email="c@ac-besancon.fr")
    return [
        str(person_b.pk),
        str(person_c.pk),
        str(cast.referent_b_person.pk),
        str(cast.referent_b.pk),
        str(cast.school_b.pk),
        str(cast.school_c.pk),
        cast.school_b.uai,
        cast.school_c.uai,
    ]


def post_body(cast, name: str, url: str, foreign: list[str]) -> dict:
    """The fields of the page's POST forms (as its first opener sees them), with another school's ids in every
    choice (select, checkbox, radio) and in every field that holds a number."""
    openers = roles_opening(name)
    body: dict = {}
    if not openers or name in FILE_URLS:
        return body
    page = client_of(cast, openers[0]).get(url)
    if page.status_code != 200:
        return body
    for form in page_forms(page.content.decode(), url):
        if form.action.split("?")[0] != url.split("?")[0]:
            continue
        for key, values in form.fields.items():
            if key == "csrfmiddlewaretoken":
                continue
            body[key] = foreign if any(v.isdigit() for v in values) else values
        for key in form.choices:
            body[key] = foreign
    return body


def accepts_post(cast, name: str, url: str) -> bool:
    """True when the view takes a POST besides its GET (it answers something else than 405 to its opener)."""
    openers = roles_opening(name)
    if not openers:
        return False
    with transaction.atomic():
        status = client_of(cast, openers[0]).post(url, {}).status_code
        transaction.set_rollback(True)
    return status != 405


GET_URLS = [name for name, (method, _p, _o) in MATRIX.items() if method == "get"]


@pytest.mark.parametrize("name", GET_URLS)
def test_a_post_changes_nothing_out_of_reach(cast, foreign_ids, name):
    """Every member of the cast posts the page's forms with another school's ids."""
    url = matrix_urls(cast)[name]
    if not accepts_post(cast, name, url):
        return  # a GET-only view: its PUT/DELETE/POST answers are in tests/test_csrf_and_methods.py
    body = post_body(cast, name, url, foreign_ids)
    expected = MATRIX[name][2]._asdict()
    wrong = {}
    for role in ROLES:
        client = client_of(cast, role)
        with transaction.atomic():
            everything, others = fingerprint(), schools_fingerprint(outside(cast, role, url))
            got = outcome_of(client, "post", url) if not body else _post(client, url, body)
            if got == 500 or (expected[role] in REFUSED and got not in REFUSED):
                wrong[role] = f"GET {expected[role]}, POST {got}"
            elif expected[role] in REFUSED and fingerprint() != everything:
                wrong[role] = f"refused ({got}) but rows were written"
            elif schools_fingerprint(outside(cast, role, url)) != others:
                wrong[role] = f"POST {got} changed another school's rows"
            transaction.set_rollback(True)
    assert not wrong, f"POST {url}: {wrong}"


def _post(client, url: str, body: dict):
    response = client.post(url, body)
    if response.status_code == 302 and response["Location"].startswith("/connexion/?next="):
        return LOGIN
    return response.status_code


# A school its caller reaches, with school A's object: (role, the UAI it uses, the role of school A it mirrors).
FOREIGN_OBJECT_CALLERS = [
    ("principal_b", "school_b", "principal_a"),
    ("referent_b", "school_b", "referent_a"),
    ("dane", "school_b", "dane"),
    ("rectorat", "school_b", "rectorat"),
    ("collectivity_a", "school_b", "collectivity_a"),
]
SCHOOL_OBJECT_URLS = [
    name
    for name, (_m, path, _o) in MATRIX.items()
    if "{uai}" in path
    and path.count("{") - path.count("{year}") > 1
    and name != "schools:school_sheet"  # the sheet of a CD21 action for all its schools: school B's too
]


def test_the_school_object_urls_are_widened():
    assert {"schools:person_edit", "imp:award", "missions:review_detail", "documents:letter_pdf"} <= set(
        SCHOOL_OBJECT_URLS
    )


@pytest.mark.parametrize("name", SCHOOL_OBJECT_URLS)
def test_own_schools_uai_with_another_schools_object_is_404(cast, name):
    method, _path, outcomes = MATRIX[name]
    wrong = {}
    for role, school, mirror in FOREIGN_OBJECT_CALLERS:
        url = matrix_urls(cast, uai=getattr(cast, school).uai)[name]
        client = client_of(cast, role)
        allowed = {404} if outcomes._asdict()[mirror] not in REFUSED else {403, 404}
        for verb in {method, "post"}:
            with transaction.atomic():
                before = fingerprint()
                got = outcome_of(client, verb, url)
                if got not in (allowed if verb == method else {403, 404, 405}):  # a POST may be refused by role
                    wrong[f"{role} {verb.upper()}"] = got
                elif fingerprint() != before:
                    wrong[f"{role} {verb.upper()}"] = f"{got}, and rows were written"
                transaction.set_rollback(True)
    assert not wrong, f"{name} with school B's UAI and school A's object: {wrong}"


QUERY_ROLES = ["principal_a", "referent_a", "dane", "collectivity_a", "rectorat"]


@pytest.mark.parametrize("name", [n for n in GET_URLS if n not in FILE_URLS])
def test_another_schools_ids_in_the_query_string_change_nothing(cast, foreign_ids, name):
    """Filters and pages read ids from the URL: another académie's (and, for school A's staff, school B's) get the
    caller the same answer as without them, and no name of a school outside its scope."""
    base = matrix_urls(cast)[name]
    person_b, person_c, _ref_b, _ref_b_user, school_b, school_c, uai_b, uai_c = foreign_ids
    query = (
        f"person={person_c}&personne={person_b}&school={school_c}&etablissement={school_b}&uai={uai_c}"
        f"&departement={cast.school_c.departement_id}&collectivite={cast.cd25.pk}&q={uai_c}&annee="
    )
    url = f"{base}{'&' if '?' in base else '?'}{query}"
    wrong = {}
    for role in QUERY_ROLES:
        client = client_of(cast, role)
        plain = outcome_of(client, "get", base)
        with transaction.atomic():
            before = fingerprint()
            response = client.get(url)
            got = response.status_code
            if got == 500 or (plain in REFUSED) != (got in REFUSED):
                wrong[role] = f"{plain} without the query, {got} with it"
            elif fingerprint() != before:
                wrong[role] = "a GET wrote rows"
            elif got == 200 and not response.streaming:
                page = response.content.decode()
                leaked = [s.name for s in outside(cast, role, "") if s.name in page]
                if leaked:
                    wrong[role] = f"shows {leaked}"
            transaction.set_rollback(True)
    assert not wrong, f"GET {url}: {wrong}"
