"""`manage.py load_demo`: the demo of the académie de Dijon, loaded once, whatever how many times it runs."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command
from django.test import RequestFactory

from demo.loader import DEMO_PASSWORD, build_demo, default_data_dir
from missions.models import AllocationPlan, PlanRow
from missions.selectors import plan_for, plan_view
from notifications.models import SentEmail
from schools.models import AuthorizedAction, Collectivity, Departement, Person, Role, School, SchoolYear, User
from schools.uai import is_valid_uai


def load(**options) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "schools": School.objects.count(),
        "persons": Person.objects.count(),
        "plans": AllocationPlan.objects.count(),
        "rows": PlanRow.objects.count(),
        "holders": PlanRow.holders.through.objects.count(),
        "users": User.objects.count(),
        "roles": Role.objects.count(),
        "years": SchoolYear.objects.count(),
        "actions": AuthorizedAction.objects.count(),
    }


def printed_logins(output: str) -> tuple[str, list[str]]:
    password = re.search(r"mot de passe pour tous : (\S+)\)", output).group(1)
    return password, re.findall(r"^\s+.+?\s(\S+@demo\.rupn\.fr)", output, flags=re.MULTILINE)


@pytest.mark.django_db
def test_load_demo_twice_creates_everything_once():
    first = load()
    after_first = counts()
    second = load()

    assert counts() == after_first
    assert "chargées." in first.splitlines()[0]
    assert "rien n'a été créé ni modifié" in second
    assert printed_logins(first) == printed_logins(second)

    kinds = {kind: School.objects.filter(kind=kind).count() for kind in School.Kind.values}
    assert kinds[School.Kind.COLLEGE] >= 20
    assert kinds[School.Kind.LYCEE] >= 20
    assert kinds[School.Kind.LYCEE_PRO] >= 20
    assert all(is_valid_uai(uai) for uai in School.objects.values_list("uai", flat=True))
    assert set(Departement.objects.filter(academie__code="07").values_list("code", flat=True)) == {
        "21",
        "58",
        "71",
        "89",
    }
    assert dict(Collectivity.objects.values_list("code", "kind")) == {
        "CD21": "departement",
        "CD58": "departement",
        "CD71": "departement",
        "CD89": "departement",
        "CRBFC": "region",
    }
    assert not School.objects.filter(kind=School.Kind.COLLEGE).exclude(collectivity__code__startswith="CD").exists()
    assert not School.objects.exclude(kind=School.Kind.COLLEGE).exclude(collectivity__code="CRBFC").exists()

    staff_sizes = [school.staff.count() for school in School.objects.all()]
    assert min(staff_sizes) >= 8 and max(staff_sizes) <= 15
    assert Person.objects.filter(leaving=True).exists()
    assert Person.objects.filter(full_service_cpge=True, school__kind=School.Kind.LYCEE).exists()

    year = SchoolYear.objects.get(start_year=2026)
    states = set(AllocationPlan.objects.filter(school_year=year).values_list("state", flat=True))
    assert states == {AllocationPlan.State.DRAFT, AllocationPlan.State.SUBMITTED}
    assert School.objects.exclude(plans__school_year=year).exists()
    for plan in AllocationPlan.objects.filter(state=AllocationPlan.State.SUBMITTED).select_related("school"):
        assert not plan_view(plan_for(plan.school, year)).check.has_blocking, plan.school


@pytest.mark.django_db
def test_printed_logins_authenticate_with_their_roles():
    output = load()
    password, emails = printed_logins(output)

    assert password == DEMO_PASSWORD
    assert [e.split("@")[0] for e in emails] == [
        "principal",
        "referent",
        "enseignant",
        "dane",
        "rectorat",
        "collectivite",
        "admin",
    ]
    for email in emails:
        assert authenticate(RequestFactory().post("/connexion/"), email=email, password=password) is not None, email

    principal_role = Role.objects.get(user__email="principal@demo.rupn.fr")
    school = principal_role.school
    assert principal_role.kind == Role.Kind.PRINCIPAL
    assert school.kind == School.Kind.COLLEGE and school.commune == "Dijon"
    assert f"({school.name}, {school.uai})" in output
    assert Role.objects.filter(user__email="referent@demo.rupn.fr", kind=Role.Kind.REFERENT, school=school).exists()
    referent_person = Person.objects.get(user__email="referent@demo.rupn.fr")
    assert referent_person.school == school
    assert referent_person.plan_rows.exists()
    assert Role.objects.filter(user__email="dane@demo.rupn.fr", kind=Role.Kind.DANE, academie__code="07").exists()
    assert Role.objects.filter(
        user__email="rectorat@demo.rupn.fr", kind=Role.Kind.RECTORAT, academie__code="07"
    ).exists()
    assert Role.objects.filter(
        user__email="collectivite@demo.rupn.fr", kind=Role.Kind.COLLECTIVITY, collectivity__code="CD21"
    ).exists()
    admin = User.objects.get(email="admin@demo.rupn.fr")
    assert admin.is_staff and admin.is_superuser
    # Every school has a principal account.
    assert not School.objects.exclude(role__kind=Role.Kind.PRINCIPAL).exists()

    # The principal's school shows a newcomer messages: a draft with one blocking rule failing, and warnings.
    view = plan_view(plan_for(school, SchoolYear.objects.get(start_year=2026)))
    assert view.plan.state == AllocationPlan.State.DRAFT
    assert len(view.check.blocking_messages) == 1
    assert view.check.warning_count >= 2


@pytest.mark.django_db
def test_continuity_warnings_and_authorized_actions():
    load()
    year = SchoolYear.objects.get(start_year=2026)
    texts = []
    for plan in AllocationPlan.objects.filter(school_year=year, state=AllocationPlan.State.SUBMITTED):
        check = plan_view(plan_for(plan.school, year)).check
        texts += [m.text for ms in check.row_messages.values() for m in ms] + [m.text for m in check.plan_messages]
    assert any("assure toutes les missions" in text for text in texts)
    assert any("qui quitte l'établissement" in text for text in texts)
    assert set(
        AuthorizedAction.objects.filter(
            collectivity__code="CD21", school_year=SchoolYear.current(), school__isnull=True
        ).values_list("action", flat=True)
    ) == {AuthorizedAction.Action.AMON, AuthorizedAction.Action.ACCOUNTS, AuthorizedAction.Action.TABLETS}


@pytest.mark.django_db
def test_without_the_data_files_the_demo_is_generated(tmp_path):
    output = load(data_dir=tmp_path)

    assert "fictifs" in output
    for kind in (School.Kind.COLLEGE, School.Kind.LYCEE, School.Kind.LYCEE_PRO):
        assert School.objects.filter(kind=kind).count() >= 20
    assert all(is_valid_uai(uai) for uai in School.objects.values_list("uai", flat=True))
    password, emails = printed_logins(output)
    assert len(emails) == 7
    assert all(authenticate(RequestFactory().post("/connexion/"), email=email, password=password) for email in emails)


@pytest.mark.django_db(transaction=True)
def test_loading_emails_nobody():
    """The submission e-mail tasks run when the load commits, into the dummy backend, even with a broker."""
    mail.outbox = []
    load()

    assert SentEmail.objects.filter(key__startswith="plan-submitted:").exists()
    assert mail.outbox == []


def test_build_is_deterministic():
    data_dir = default_data_dir()
    assert build_demo(data_dir) == build_demo(data_dir)


@pytest.mark.django_db
def test_the_demo_referent_holds_a_badge_of_the_dane_whose_baked_png_carries_its_assertion(client):
    from badges.baking import unbake_png
    from badges.models import BadgeAward

    load()
    (award,) = BadgeAward.objects.filter(recipient__email="referent@demo.rupn.fr")
    assert award.badge.name.startswith("Référent numérique ")
    client.force_login(award.recipient)
    response = client.get(f"/badges/mes-badges/{award.uid}.png")
    baked = unbake_png(b"".join(response.streaming_content) if response.streaming else response.content)
    assert str(award.uid) in baked
