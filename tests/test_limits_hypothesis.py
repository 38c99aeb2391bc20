"""Values at and beyond each column's limits (issue 16, acceptance): every POST form of every page the cast opens
(those that need data too), every importer (staff CSV, STS-web XML, envelopes CSV, directory CSV) and the query
string of every page take digits around the integer, small integer and money columns, years around 2000–2100 and
far beyond, strings at and past each max_length, NUL and control characters, huge ids — and answer without a 500,
on the suite's PostgreSQL.

tests/test_bad_input*.py post generally nasty values; this one aims at the edges of the columns."""

import re
from xml.sax.saxutils import escape, quoteattr

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from missions.services import plan_get_or_create
from tests.factories import PersonFactory
from tests.schools.test_directory_import import COLUMNS as DIRECTORY_HEADER
from tests.schools.test_directory_import import line as directory_line
from tests.test_access_matrix import MATRIX, matrix_urls
from tests.test_bad_input import FORM_PAGES, Form, opener, page_forms
from tests.test_bad_input_with_data import SCENARIOS

SMALLINT, INTEGER, BIGINT = 2**15, 2**31, 2**63
NUMBERS = [str(n) for edge in (SMALLINT, INTEGER, BIGINT, 10**25) for n in (edge - 1, edge, -edge, -edge - 1)]
AMOUNTS = [
    "9999999.99",
    "9 999 999,99",
    "10000000.00",
    "123 456 789,00",
    "99999999.99",
    "100000000",
    "0,001",
    "-0,01",
    "1E+400",
    "12345678901234567890,12",
]
DATES = [
    "0001-01-01",
    "1999-12-31",
    "2000-01-01",
    "2100-12-31",
    "2101-01-01",
    "9999-12-31",
    "01/01/0001",
    "31/12/9999",
    "0001-01-01T00:05",
    "1999-12-31T23:59",
    "2100-12-31T23:59",
    "9999-12-31T23:59",
    "2026-02-29",
]
LENGTHS = [n + extra for n in (8, 20, 50, 100, 150, 200, 254, 255, 300, 500, 1000, 5000) for extra in (0, 1)]
TEXTS = ["a\x00b", "\x00", "a\rb", "a\r\nb", "x\x01y", "\u202e", "é" * 256, "12:01", "720", "721", "12 h 01"]


def limit_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NUMBERS + AMOUNTS + DATES + TEXTS),
        st.sampled_from(LENGTHS).map(lambda n: "x" * n),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.integers(min_value=1, max_value=9999).map(lambda y: f"{y:04d}-06-15"),
    )


def staff_csv(cells: list[str]) -> bytes:
    return ("nom;prenom;email;statut;cpge;depart\n" + ";".join(cells[:6]) + "\n").encode("utf-8", "surrogatepass")


def envelope_csv(uai: str, cells: list[str]) -> bytes:
    return f"uai;montant\n{uai};{cells[0]}\n{cells[-1]};3750\n".encode("utf-8", "surrogatepass")


def directory_csv(uai: str, cells: list[str]) -> bytes:
    name, commune, postal, opened = (cells * 4)[:4]
    row = directory_line(uai, name, commune=commune, postal=postal, opened=opened)
    return f"{DIRECTORY_HEADER}\n{row}\n".encode("utf-8", "surrogatepass")


def sts_xml(uai: str, cells: list[str]) -> bytes:
    year, person_id, last, first = (cells * 4)[:4]
    return (
        '<?xml version="1.0" encoding="UTF-8"?><STS_EDT><PARAMETRES>'
        f"<UAJ CODE={quoteattr(uai)}/><ANNEE_SCOLAIRE ANNEE={quoteattr(year)}/></PARAMETRES><DONNEES><INDIVIDUS>"
        f'<INDIVIDU ID={quoteattr(person_id)} TYPE="epp"><NOM_USAGE>{escape(last)}</NOM_USAGE>'
        f"<PRENOM>{escape(first)}</PRENOM><FONCTION>ENS</FONCTION></INDIVIDU></INDIVIDUS></DONNEES></STS_EDT>"
    ).encode("utf-8", "surrogatepass")


def upload_for(action: str, uai: str, cells: list[str]) -> SimpleUploadedFile:
    """The file the form's importer reads, its cells at the limits."""
    if "sts-web" in action:
        return SimpleUploadedFile("sts_emp.xml", sts_xml(uai, cells), content_type="text/xml")
    if "personnels" in action:
        return SimpleUploadedFile("personnels.csv", staff_csv(cells), content_type="text/csv")
    if "enveloppes" in action:
        return SimpleUploadedFile("enveloppes.csv", envelope_csv(uai, cells), content_type="text/csv")
    if "import-etablissements" in action:
        return SimpleUploadedFile("annuaire.csv", directory_csv(uai, cells), content_type="text/csv")
    return SimpleUploadedFile("fichier.pdf", b"%PDF-1.4\n" + ";".join(cells).encode(errors="replace"))


def post_limit_values(client: Client, forms: list[Form], uai: str, *, max_examples: int) -> None:
    @settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(data=st.data())
    def fuzz(data):
        form = data.draw(st.sampled_from(forms))
        values = {k: list(v) for k, v in form.fields.items() if k != "csrfmiddlewaretoken"}
        for key in list(values) + list(form.choices):
            if data.draw(st.booleans()):
                values[key] = [data.draw(limit_values())]
        post = {k: (v[0] if len(v) == 1 else v) for k, v in values.items()}
        for key in form.files:
            post[key] = upload_for(form.action, uai, data.draw(st.lists(limit_values(), min_size=1, max_size=4)))
        response = client.post(form.action, post, follow=True)
        assert response.status_code < 500, (form.action, post)

    fuzz()


@pytest.mark.parametrize("name", FORM_PAGES)
def test_forms_at_their_limits_never_answer_500(cast, name):
    url = matrix_urls(cast)[name]
    role = opener(name)
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    page = client.get(url)
    assert page.status_code == 200
    forms = page_forms(page.content.decode(), url)
    if forms:
        post_limit_values(client, forms, cast.school_a.uai, max_examples=8)


@pytest.mark.parametrize("name", SCENARIOS)
def test_forms_that_need_data_at_their_limits_never_answer_500(cast, name):
    scenario = SCENARIOS[name](cast)
    plan_get_or_create(school=cast.school_b, school_year=cast.school_year)
    PersonFactory(school=cast.school_b, email="b@ac-dijon.fr")
    client = Client()
    if scenario.user is not None:
        client.force_login(scenario.user)
    page = client.get(scenario.url, follow=True)
    assert page.status_code == 200
    forms = page_forms(page.content.decode(), page.request["PATH_INFO"])
    post_limit_values(client, forms, cast.school_a.uai, max_examples=8)


IMPORTERS = {
    "staff CSV": ("principal_a", "schools:staff"),
    "STS-web XML": ("principal_a", "schools:staff_sts"),
    "envelopes CSV": ("rectorat", "imp:envelopes"),
    "directory CSV": ("dane", "schools:directory_import"),
}


@pytest.mark.parametrize("importer", IMPORTERS)
def test_every_importer_takes_files_at_their_limits_without_a_500(cast, importer):
    """Each importer's file form, posted many times with only its file's cells at the limits."""
    role, name = IMPORTERS[importer]
    url = matrix_urls(cast)[name]
    client = Client()
    client.force_login(getattr(cast, role))
    page = client.get(url)
    assert page.status_code == 200
    forms = [form for form in page_forms(page.content.decode(), url) if form.files]
    assert forms, f"{importer}: no file form on {url}"
    post_limit_values(client, forms, cast.school_a.uai, max_examples=25)


FIELD_NAMES = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')
QUERY_NAMES = ["page", "annee", "year", "mois", "q", "etablissement", "awards", "pk", "id"]
GET_PAGES = [name for name, (method, _path, _openers) in MATRIX.items() if method == "get" and opener(name)]


def drain(response) -> None:
    """A file served (PDF, image, ZIP) read to its end, so the test client closes it (not the garbage collector,
    whose ResourceWarning would land in whichever test runs then)."""
    if response.streaming:
        b"".join(response.streaming_content)


# Hundreds of requests per test make the garbage collector run here: a file an earlier test left open (an upload's
# temporary file, a served file read by nobody) is reported in this test, which is not what it checks.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("name", GET_PAGES)
def test_query_strings_at_their_limits_never_answer_500(cast, name):
    """Each page the cast opens, its query string made of its own field names (filters) and the usual ones (page,
    annee, year…) set to values at and beyond the limits."""
    url = matrix_urls(cast)[name]
    role = opener(name)
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    page = client.get(url)
    names = sorted(
        {*QUERY_NAMES, *(FIELD_NAMES.findall(page.content.decode(errors="replace")) if not page.streaming else [])}
        - {"csrfmiddlewaretoken"}
    )
    drain(page)

    @settings(
        max_examples=4,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(query=st.dictionaries(st.sampled_from(names), limit_values(), min_size=1, max_size=4))
    def fuzz(query):
        response = client.get(url, query)
        drain(response)
        assert response.status_code < 500, (url, query)

    fuzz()
