"""Bad input: every POST form of every page (and every file upload) takes generated values — very long
strings, unicode, HTML and script, negative and huge numbers, malformed dates, unknown ids, another school's
ids — without a 500, without rendering script unescaped, and without changing another school's data."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from missions.services import plan_get_or_create
from tests.factories import PersonFactory
from tests.test_access_matrix import FILE_URLS, MATRIX, ROLES, matrix_urls

SCRIPT = '<script>alert("rupn")</script>'
NASTY = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "A" * 5000,
    "é" * 300 + "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ 中文 العربية",
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "12,5",
    "2026-13-45",
    "31/02/2026",
    "0000-00-00",
    "'; DROP TABLE schools_school; --",
    "../../etc/passwd",
    "",
    " ",
    "\u202e\u200b",
]
CSV_HEADERS = ["nom;prenom;email;statut;cpge;depart", "uai;nom;type;commune;code_postal;statut"]


@dataclass
class Form:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


class FormsParser(HTMLParser):
    """Every POST form of a page: its action, the values a browser would send, the choices of its selects,
    checkboxes and radios, and its file inputs."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self.form = Form(action=attrs.get("action") or self.page_url)
            return
        if self.form is None or not attrs.get("name"):
            return
        name, kind = attrs["name"], attrs.get("type", "text")
        if tag == "input" and kind in ("checkbox", "radio"):
            self.form.choices.setdefault(name, []).append(attrs.get("value", "on"))
            if "checked" in attrs:
                self.form.fields.setdefault(name, []).append(attrs.get("value", "on"))
        elif tag == "input" and kind == "file":
            self.form.files.append(name)
        elif tag == "input" and kind not in ("submit", "button"):
            self.form.fields.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select":
            self.select = name
            self.form.fields.setdefault(name, [])
        elif tag == "option" and self.select:
            self.form.choices.setdefault(self.select, []).append(attrs.get("value", ""))
            if "selected" in attrs:
                self.form.fields[self.select].append(attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = name
            self.form.fields.setdefault(name, []).append("")

    def handle_endtag(self, tag):
        if tag == "form" and self.form is not None:
            self.forms.append(self.form)
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def page_forms(html: str, url: str) -> list[Form]:
    parser = FormsParser(url)
    parser.feed(html)
    return [f for f in parser.forms if f.action not in ("/deconnexion/",)]


def opener(name: str) -> str | None:
    """The role whose forms are fuzzed on this page: the principal where they open it, else the first opener."""
    openers = [r for r, e in zip(ROLES, MATRIX[name][2], strict=True) if e == 200]
    return "principal_a" if "principal_a" in openers else (openers[0] if openers else None)


FORM_PAGES = [
    name for name, (method, _p, _o) in MATRIX.items() if method == "get" and opener(name) and name not in FILE_URLS
]


# Pages that, for the role above, hold no POST form (besides the header's logout button).
# (*): forms that appear only with data: tests/test_bad_input_with_data.py makes the data and fuzzes them.
PAGES_WITHOUT_FORMS = {
    # The team's pages as their first opener sees them; the forms of the referents and teachers there (filing a
    # request, a step of it, a session, registering) get generated values in tests/helpdesk/test_forms_never_500.py.
    "helpdesk:team",
    "helpdesk:requests",
    "helpdesk:figures",
    "helpdesk:sessions",
    "helpdesk:session",
    "helpdesk:collectivity",
    "badges:list",
    "badges:detail",  # revoking goes through its own confirmation page
    "openbadges:record",
    "schools:home",
    "schools:detail",
    "audit:school",  # a GET filter form only
    "audit:academie",
    "password_reset_done",
    "password_reset_confirm",  # with a valid link it has one (*)
    "password_reset_complete",
    "accessibility",
    "legal_notice",
    "personal_data",
    "site_map",
    "schools:collectivity_detail",
    "schools:collectivity_equipment",  # answer forms appear once a school has sent a request (*)
    "dashboard:dashboard",
    "dashboard:schools",  # its filters are a GET form
    "documents:ca_sheet_preview",
    "documents:letter_preview",
    "documents:print_batch",
    "imp:schedule",
    "imp:queue",  # its validation forms appear once awards wait (*)
    "imp:mine",  # its answer forms appear once an award is proposed (*)
    "missions:dane_activity",
    "missions:dane_reviews",
    "missions:events",  # its cards link to each event's page, where the registration form is
    "missions:event_detail",  # registration form for referents, with an upcoming event (*)
    "missions:my_reminders",
    "missions:plan_rollover",  # its form appears when last year has a plan (*)
    "missions:plan_reopen",  # its form appears once the plan is submitted (*)
    "missions:school_activity",  # its filters are a GET form
    "recognition:my_record",  # the i-prof text is a textarea to copy, not a form to send
}


def other_school_snapshot(cast) -> list:
    """Every row that belongs to school B (or its plans), as plain values."""
    rows = []
    for model in [*apps.get_app_config("schools").get_models(), *apps.get_app_config("missions").get_models()]:
        names = {f.name for f in model._meta.get_fields()}
        if "school" in names:
            queryset = model.objects.filter(school=cast.school_b)
        elif "plan" in names:
            queryset = model.objects.filter(plan__school=cast.school_b)
        else:
            continue
        rows.extend((model.__name__, model_to_dict(obj)) for obj in queryset.order_by("pk"))
    rows.append(("School", model_to_dict(cast.school_b)))
    return rows


def nasty_values(foreign_ids: list[str]):
    return st.one_of(
        st.sampled_from(NASTY + foreign_ids),
        st.text(max_size=200),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.decimals(allow_nan=True, allow_infinity=True, places=3).map(str),
        st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    )


def post_generated_values(client, forms: list[Form], foreign_ids: list[str], *, max_examples: int = 25) -> None:
    """Post the page's forms back with generated values in some fields (and generated files): never a 500, never
    the script rendered unescaped. foreign_ids: ids of objects the user must not reach (another school's)."""

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
                values[key] = [data.draw(nasty_values(foreign_ids))]
        post = {k: (v[0] if len(v) == 1 else v) for k, v in values.items()}
        for key in form.files:
            header = data.draw(st.sampled_from(CSV_HEADERS))
            line = ";".join(data.draw(st.lists(nasty_values(foreign_ids), min_size=1, max_size=6)))
            content = data.draw(st.sampled_from([f"{header}\n{line}\n".encode(), b"%PDF-1.4\n" + line.encode(), b""]))
            post[key] = SimpleUploadedFile(data.draw(st.sampled_from(["a.csv", "a.pdf", "a.exe"])), content)
        response = client.post(form.action, post, follow=True)
        assert response.status_code < 500, (form.action, post)
        if not response.streaming:
            assert SCRIPT not in response.content.decode(errors="replace"), (form.action, post)

    fuzz()


@pytest.fixture
def school_b_data(cast):
    plan_get_or_create(school=cast.school_b, school_year=cast.school_year)
    person = PersonFactory(school=cast.school_b, email="b@ac-dijon.fr")
    return [str(person.pk), str(cast.school_b.pk), cast.school_b.uai]


@pytest.mark.parametrize("name", FORM_PAGES)
def test_forms_survive_generated_values(cast, school_b_data, name):
    url = matrix_urls(cast)[name]
    role = opener(name)
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    page = client.get(url)
    assert page.status_code == 200
    forms = page_forms(page.content.decode(), url)
    if not forms:
        assert name in PAGES_WITHOUT_FORMS, f"{name} has no POST form for {role}: list it in PAGES_WITHOUT_FORMS"
        return
    assert name not in PAGES_WITHOUT_FORMS, f"{name} has a POST form now: remove it from PAGES_WITHOUT_FORMS"
    before = other_school_snapshot(cast)
    post_generated_values(client, forms, school_b_data)
    assert other_school_snapshot(cast) == before
