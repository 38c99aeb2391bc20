"""The audit pages: who changed what and when, for the school's principal, the DANE and the rectorat only."""

import html as htmllib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imp import services as imp_services
from missions.models import PlanRow
from missions.services import RowInput, plan_get_or_create, plan_save
from rupn.lib.formats import format_euros
from schools.models import Role
from schools.services import authorized_action_add, authorized_action_delete
from tests.factories import PersonFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


def school_url(school) -> str:
    return f"/etablissements/{school.uai}/historique/"


def save_support(cast, school, holders, organisation="", *, by, has_tablets=False):
    """Save the school's plan with these holders on 'support_teams' (every other row kept)."""
    plan = plan_get_or_create(school=school, school_year=cast.school_year)
    rows = []
    for row in PlanRow.objects.filter(plan=plan).select_related("mission").prefetch_related("holders").order_by("pk"):
        is_support = row.mission.code == "support_teams"
        rows.append(
            RowInput(
                mission_code=row.mission.code,
                row_id=row.pk,
                organisation=organisation if is_support else row.organisation,
                holder_ids={p.pk for p in holders} if is_support else {p.pk for p in row.holders.all()},
            )
        )
    return plan_save(plan=plan, expected_version=plan.version, has_tablets=has_tablets, rows=rows, by=by)


@pytest.fixture
def history(cast):
    return make_history(cast)


def make_history(cast):
    """Changes in school A (plan, envelope, authorized action, role), in school B, and in school C (Besançon)."""
    alice = PersonFactory(school=cast.school_a, first_name="Alice", last_name="Dupont")
    save_support(
        cast, cast.school_a, [alice, cast.referent_person], "Alice le lundi", by=cast.principal_a, has_tablets=True
    )
    imp_services.envelope_set(
        school=cast.school_a, school_year=cast.school_year, amount=Decimal("3750"), by=cast.rectorat
    )
    action = authorized_action_add(
        collectivity=cast.cd21, school_year=cast.school_year, action="amon", by=cast.collectivity_a
    )
    authorized_action_delete(action=action, by=cast.collectivity_a)
    deputy = UserFactory(email="adjoint@ac-dijon.fr", first_name="Adèle", last_name="Adjointe")
    Role.objects.create(user=deputy, kind="principal", school=cast.school_a)
    Role.objects.create(user=UserFactory(email="conseiller@ac-dijon.fr"), kind="dane", academie=cast.dijon)
    bob = PersonFactory(school=cast.school_b, first_name="Bob", last_name="Bernard")
    save_support(cast, cast.school_b, [bob], by=cast.principal_b)
    claire = PersonFactory(school=cast.school_c, first_name="Claire", last_name="Comtoise")
    save_support(cast, cast.school_c, [claire], by=None)
    return alice


def test_principal_reads_who_changed_which_row_and_what_changed(client_for, cast, history):
    page = text(client_for(cast.principal_a).get(school_url(cast.school_a)))
    assert "Anne Principale" in page  # who saved the table
    assert "Responsables : — → Alice Dupont, Romain Référent" in page
    assert "Organisation retenue : Un ou plusieurs enseignants" in page and "→ Alice le lundi" in page
    assert f"Montant : — → {format_euros(Decimal('3750'))}" in page and "Rémi Rectorat" in page
    assert "Interface pédagogique AMON" in page and "Suppression" in page  # authorized for all CD21's schools
    assert "Chef d'établissement : Adèle Adjointe" in page
    assert "Bob Bernard" not in page and "Claire Comtoise" not in page  # other schools' changes


def test_the_newest_change_comes_first(client_for, cast, history):
    page = text(client_for(cast.principal_a).get(school_url(cast.school_a)))
    assert page.index("Chef d'établissement : Adèle Adjointe") < page.index("Rémi Rectorat")


def test_filters_by_kind_and_year_stay_in_the_url(client_for, cast, history):
    client = client_for(cast.principal_a)
    envelopes = text(client.get(school_url(cast.school_a), {"type": "envelope", "annee": cast.school_year.name}))
    assert format_euros(Decimal("3750")) in envelopes and "Responsables" not in envelopes
    other_year = f"{cast.school_year.start_year - 5}-{cast.school_year.start_year - 4}"
    from schools.models import SchoolYear

    SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year - 5)
    assert "Aucune modification" in text(client.get(school_url(cast.school_a), {"annee": other_year}))


def test_dane_reads_every_school_of_its_academie_and_filters_by_uai(client_for, cast, history):
    client = client_for(cast.dane)
    page = text(client.get("/dane/historique/"))
    assert "Bob Bernard" in page and "Alice Dupont" in page and cast.school_b.uai in page
    assert "Claire Comtoise" not in page  # académie de Besançon
    only_b = text(client.get("/dane/historique/", {"uai": cast.school_b.uai.lower()}))
    assert "Bob Bernard" in only_b and "Alice Dupont" not in only_b
    assert "Claire Comtoise" in text(client_for(cast.dane_other).get("/dane/historique/"))


def test_rectorat_reads_the_school_history_and_referent_and_collectivity_cannot(client_for, cast, history):
    assert client_for(cast.rectorat).get(school_url(cast.school_a)).status_code == 200
    assert client_for(cast.referent_a).get(school_url(cast.school_a)).status_code == 403
    assert client_for(cast.collectivity_a).get(school_url(cast.school_a)).status_code == 403
    assert client_for(cast.principal_b).get(school_url(cast.school_a)).status_code == 404


def test_school_page_links_the_history_for_those_who_may_read_it(client_for, cast):
    url = f"/etablissements/{cast.school_a.uai}/"
    assert school_url(cast.school_a) in client_for(cast.principal_a).get(url).content.decode()
    assert school_url(cast.school_a) in client_for(cast.dane).get(url).content.decode()
    assert school_url(cast.school_a) not in client_for(cast.referent_a).get(url).content.decode()


def test_a_change_without_a_user_says_it_was_automatic(client_for, cast, history):
    assert "RUPN (traitement automatique)" in text(client_for(cast.dane_other).get("/dane/historique/"))


def _more_history(cast, size):
    """size more changes of each kind in school A."""
    for n in range(size):
        person = PersonFactory(school=cast.school_a)
        save_support(cast, cast.school_a, [person], f"Organisation {n}", by=cast.principal_a)
        imp_services.envelope_set(
            school=cast.school_a, school_year=cast.school_year, amount=Decimal(4000 + n), by=cast.rectorat
        )
        RoleFactory(user=UserFactory(), kind="referent", school=cast.school_a)


@pytest.mark.parametrize("size", [1, 12])
def test_history_pages_keep_a_fixed_number_of_queries(client_for, cast, size):
    _more_history(cast, size)
    make_history(cast)  # the newest page holds every kind of change at both sizes
    counts = []
    for user, url in ((cast.principal_a, school_url(cast.school_a)), (cast.dane, "/dane/historique/")):
        client = client_for(user)
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts == EXPECTED_QUERIES


EXPECTED_QUERIES = [
    24,
    25,
]  # the school's page, the académie's page (awards and envelopes: one query each for their events)
