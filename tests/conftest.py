"""The fixed cast every test speaks of, and strictness switches.

School A and school B are collèges of the académie de Dijon (Côte-d'Or, CD21);
school C belongs to the académie de Besançon (Doubs, CD25).
"""

import importlib
import logging
import os
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db.models import OrderBy
from django.db.models.functions import Random
from django.db.models.sql.compiler import SQLCompiler
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from schools.models import Role, SchoolYear
from tests.factories import (
    AcademieFactory,
    CollectivityFactory,
    DepartementFactory,
    PersonFactory,
    RoleFactory,
    SchoolFactory,
    UserFactory,
    make_uai,
)

PASSWORD = "mot-de-passe-de-test"

pytest_plugins = ["tests.ci_guard"]

# CI runs the property tests with a fixed seed, so a submission is judged on the same examples each time;
# developers' runs keep exploring new examples (and a failure they find becomes a test).
# Speed is measured in benchmarks, never in tests: Hypothesis' timing checks (a deadline per example, "input
# generation is slow") fail on a busy machine and say nothing about the code, so both profiles drop them.
UNTIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
hypothesis_settings.register_profile("dev", **UNTIMED)
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True, **UNTIMED)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


OUR_TEMPLATES = {
    str(path.relative_to(settings.BASE_DIR / "templates"))
    for path in (settings.BASE_DIR / "templates").rglob("*")
    if path.is_file()
}


class _UndefinedVariableHandler(logging.Handler):
    """Collect the variables that our own templates fail to resolve (third-party templates are theirs)."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.failures: list[str] = []

    def emit(self, record):
        if not record.getMessage().startswith("Exception while resolving variable"):
            return
        template = str(record.args[1]) if record.args and len(record.args) > 1 else ""
        if template in OUR_TEMPLATES:
            self.failures.append(record.getMessage())


@pytest.fixture(autouse=True)
def _fail_on_undefined_template_variables():
    """An undefined variable in one of our templates fails the test."""
    handler = _UndefinedVariableHandler()
    logger = logging.getLogger("django.template")
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)
    assert not handler.failures, "\n".join(handler.failures)


class SelectForUpdateWithSelectRelated(Exception):
    """select_for_update() with select_related() locks the joined rows too (a school, an académie…): refused."""


@pytest.fixture(scope="session", autouse=True)
def _unordered_querysets_come_in_random_order():
    """A queryset without order_by() (and no Meta.ordering) is read in random order, as les-emplois does
    (https://adamj.eu/tech/2023/07/04/django-test-random-order-querysets/): code that relies on the order rows
    happen to come in fails in tests instead of one day in production. An explicit `.order_by()` (no ordering on
    purpose: aggregates, EXISTS, subqueries) and DISTINCT queries are left as they are."""
    original = SQLCompiler._order_by_pairs

    def _order_by_pairs(self):
        query = self.query
        meta = query.get_meta()
        unordered = (
            not query.extra_order_by
            and query.default_ordering
            and not query.order_by
            and not (meta and meta.ordering)
            and not query.distinct
        )
        if unordered:
            yield OrderBy(Random()), False
        else:
            yield from original(self)

    SQLCompiler._order_by_pairs = _order_by_pairs
    yield
    SQLCompiler._order_by_pairs = original


@pytest.fixture(scope="session", autouse=True)
def _select_for_update_with_select_related_is_refused():
    """select_for_update() on a query with select_related() locks every joined row (PostgreSQL's FOR UPDATE covers
    all the tables of the FROM): refused in tests unless the lock names its tables with `of=`."""
    original = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        query = self.query
        if query.select_for_update and query.select_related and not query.select_for_update_of:
            raise SelectForUpdateWithSelectRelated(
                f'select_for_update() with select_related() on {query.model.__name__}: lock with of=("self",) '
                "or read the related rows apart"
            )
        return original(self, *args, **kwargs)

    SQLCompiler.as_sql = as_sql
    yield
    SQLCompiler.as_sql = original


@pytest.fixture
def catalogue(db):
    """The mission catalogue of the data migration (reloaded after a transactional test flushed it)."""
    from django.apps import apps

    from missions.models import Mission
    from missions.selectors import catalogue_changed

    if not Mission.objects.exists():  # as the migrations leave it: the catalogue, then tablets "selon collectivité"
        importlib.import_module("missions.migrations.0003_catalogue").load(apps, None)
        importlib.import_module("missions.migrations.0005_tablets_selon_collectivite").forwards(apps, None)
    catalogue_changed()  # the process's kept catalogue may be a flushed one, or one a rolled-back test changed
    return list(Mission.objects.order_by("position"))


@pytest.fixture(autouse=True)
def _catalogue_in_every_database_test(request):
    """Transactional tests flush the tables, data migrations included: every database test gets the catalogue."""
    if {"db", "transactional_db"} & set(request.fixturenames) or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("catalogue")


@pytest.fixture
def school_year(db, catalogue):
    return SchoolYear.current()


@pytest.fixture
def cast(db, school_year):
    """principal_a, referent_a, referent_a2, principal_b, referent_b, dane, dane_other, rectorat, collectivity_a,
    collectivity_other; referent_person, referent_a2_person, referent_b_person are the referents' staff rows."""
    dijon = AcademieFactory(code="07", name="Dijon")
    besancon = AcademieFactory(code="03", name="Besançon")
    cote_dor = DepartementFactory(code="21", name="Côte-d'Or", academie=dijon)
    doubs = DepartementFactory(code="25", name="Doubs", academie=besancon)
    cd21 = CollectivityFactory(code="CD21", name="Conseil départemental de la Côte-d'Or")
    cd25 = CollectivityFactory(code="CD25", name="Conseil départemental du Doubs")
    school_a = SchoolFactory(
        uai=make_uai(210001), name="Collège Les Lentillères", commune="Dijon", departement=cote_dor, collectivity=cd21
    )
    school_b = SchoolFactory(
        uai=make_uai(210002), name="Collège Marcelle Pardé", commune="Dijon", departement=cote_dor, collectivity=cd21
    )
    school_c = SchoolFactory(
        uai=make_uai(250001), name="Collège Victor Hugo", commune="Besançon", departement=doubs, collectivity=cd25
    )

    def user(email, first, last, kind, **scope):
        account = UserFactory(email=email, first_name=first, last_name=last)
        RoleFactory(user=account, kind=kind, **scope)
        return account

    principal_a = user("principal.a@ac-dijon.fr", "Anne", "Principale", Role.Kind.PRINCIPAL, school=school_a)
    referent_a = user("referent.a@ac-dijon.fr", "Romain", "Référent", Role.Kind.REFERENT, school=school_a)
    principal_b = user("principal.b@ac-dijon.fr", "Bernard", "Proviseur", Role.Kind.PRINCIPAL, school=school_b)
    dane = user("dane@ac-dijon.fr", "Diane", "Dane", Role.Kind.DANE, academie=dijon)
    dane_other = user("dane@ac-besancon.fr", "Denis", "Autre", Role.Kind.DANE, academie=besancon)
    rectorat = user("rectorat@ac-dijon.fr", "Rémi", "Rectorat", Role.Kind.RECTORAT, academie=dijon)
    collectivity_a = user("numerique@cotedor.fr", "Colette", "Département", Role.Kind.COLLECTIVITY, collectivity=cd21)
    collectivity_other = user("numerique@doubs.fr", "Cyril", "Doubs", Role.Kind.COLLECTIVITY, collectivity=cd25)
    referent_a2 = user("referente.a2@ac-dijon.fr", "Rachel", "Seconde", Role.Kind.REFERENT, school=school_a)
    referent_b = user("referent.b@ac-dijon.fr", "Bruno", "Référent", Role.Kind.REFERENT, school=school_b)
    referent_person = PersonFactory(
        school=school_a, user=referent_a, first_name="Romain", last_name="Référent", email=referent_a.email
    )
    referent_a2_person = PersonFactory(
        school=school_a, user=referent_a2, first_name="Rachel", last_name="Seconde", email=referent_a2.email
    )
    referent_b_person = PersonFactory(
        school=school_b, user=referent_b, first_name="Bruno", last_name="Référent", email=referent_b.email
    )
    return SimpleNamespace(
        dijon=dijon,
        besancon=besancon,
        cd21=cd21,
        cd25=cd25,
        school_a=school_a,
        school_b=school_b,
        school_c=school_c,
        school_year=school_year,
        principal_a=principal_a,
        referent_a=referent_a,
        referent_person=referent_person,
        referent_a2=referent_a2,
        referent_a2_person=referent_a2_person,
        referent_b=referent_b,
        referent_b_person=referent_b_person,
        principal_b=principal_b,
        dane=dane,
        dane_other=dane_other,
        rectorat=rectorat,
        collectivity_a=collectivity_a,
        collectivity_other=collectivity_other,
    )


@pytest.fixture
def client_for(client, cast):
    """client_for(user): a test client logged in as that user (None: anonymous)."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploaded files (procedure sheets) go to a throwaway folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _imp_rates_in_every_database_test(request, _catalogue_in_every_database_test):
    """The IMP rates come from a data migration too: reload them after a transactional test flushed them."""
    if {"db", "transactional_db"} & set(request.fixturenames) or request.node.get_closest_marker("django_db"):
        from django.apps import apps

        from imp.models import ImpRate

        if not ImpRate.objects.exists():
            importlib.import_module("imp.migrations.0002_rates").load(apps, None)
