"""The cast of the team's tests: the common cast plus two teachers of school A and one of school B, and school A's
submitted plan (the referent holds the ENT administration and the tickets; a second referent holds the website)."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from missions.models import AllocationPlan, Mission, PlanRow
from schools.models import Role
from tests.factories import PersonFactory, RoleFactory, UserFactory


def make_teacher(school, email, first, last):
    user = UserFactory(email=email, first_name=first, last_name=last)
    RoleFactory(user=user, kind=Role.Kind.TEACHER, school=school)
    person = PersonFactory(school=school, user=user, first_name=first, last_name=last, email=email)
    return user, person


@pytest.fixture
def team(cast):
    teacher_a, teacher_a_person = make_teacher(cast.school_a, "claire.enseignante@ac-dijon.fr", "Claire", "Enseignante")
    teacher_a2, teacher_a2_person = make_teacher(cast.school_a, "paul.prof@ac-dijon.fr", "Paul", "Professeur")
    teacher_b, teacher_b_person = make_teacher(cast.school_b, "berthe.prof@ac-dijon.fr", "Berthe", "Prof")
    web_user = UserFactory(email="webmestre@ac-dijon.fr", first_name="Wanda", last_name="Web")
    RoleFactory(user=web_user, kind=Role.Kind.REFERENT, school=cast.school_a)
    web_person = PersonFactory(school=cast.school_a, user=web_user, first_name="Wanda", last_name="Web")
    plan = AllocationPlan.objects.create(school=cast.school_a, school_year=cast.school_year)
    rows = {}
    for code, holder in (
        ("tools.ent_admin", cast.referent_person),
        ("tools.tickets", cast.referent_person),
        ("support_teams", cast.referent_person),
        ("tools.website", web_person),
    ):
        rows[code] = PlanRow.objects.create(plan=plan, mission=Mission.objects.get(code=code))
        rows[code].holders.add(holder)
    return SimpleNamespace(
        **vars(cast),
        teacher_a=teacher_a,
        teacher_a_person=teacher_a_person,
        teacher_a2=teacher_a2,
        teacher_a2_person=teacher_a2_person,
        teacher_b=teacher_b,
        teacher_b_person=teacher_b_person,
        web_user=web_user,
        web_person=web_person,
        plan=plan,
        rows=rows,
    )


def submit(plan):
    plan.state = AllocationPlan.State.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.save()
    return plan


@pytest.fixture
def submitted(team):
    submit(team.plan)
    return team
