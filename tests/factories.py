"""factory_boy factories: Traits rather than subclasses."""

import factory
from factory.django import DjangoModelFactory

from missions.models import AllocationPlan
from schools.models import Academie, Collectivity, Departement, Person, Role, School, SchoolYear, User
from schools.uai import uai_check_letter


def make_uai(n: int) -> str:
    digits = f"{n:07d}"
    return digits + uai_check_letter(digits)


class AcademieFactory(DjangoModelFactory):
    class Meta:
        model = Academie
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{50 + n}")
    name = factory.Sequence(lambda n: f"Académie {n}")


class DepartementFactory(DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{100 + n}")
    name = factory.Sequence(lambda n: f"Département {n}")
    academie = factory.SubFactory(AcademieFactory)


class CollectivityFactory(DjangoModelFactory):
    class Meta:
        model = Collectivity
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CD{n}")
    name = factory.Sequence(lambda n: f"Conseil départemental {n}")
    kind = Collectivity.Kind.DEPARTEMENT

    class Params:
        region = factory.Trait(kind=Collectivity.Kind.REGION, code=factory.Sequence(lambda n: f"CR{n}"))


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("uai",)

    uai = factory.Sequence(lambda n: make_uai(9000000 + n))
    name = factory.Sequence(lambda n: f"Collège Établissement {n}")
    kind = School.Kind.COLLEGE
    commune = "Dijon"
    departement = factory.SubFactory(DepartementFactory)
    collectivity = factory.SubFactory(CollectivityFactory)

    class Params:
        lycee = factory.Trait(kind=School.Kind.LYCEE, name=factory.Sequence(lambda n: f"Lycée Établissement {n}"))


class SchoolYearFactory(DjangoModelFactory):
    class Meta:
        model = SchoolYear
        django_get_or_create = ("start_year",)

    start_year = factory.LazyFunction(lambda: SchoolYear.start_year_for(__import__("datetime").date.today()))


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@ac-test.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Utilisateur{n}")
    password = factory.django.Password("mot-de-passe-de-test")


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    kind = Role.Kind.PRINCIPAL


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    school = factory.SubFactory(SchoolFactory)
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    first_name = "Claude"
    email = factory.LazyAttribute(lambda p: f"{p.first_name}.{p.last_name}@ac-test.fr".lower())
    status = Person.Status.TEACHER

    class Params:
        leaving_soon = factory.Trait(leaving=True)
        cpge = factory.Trait(full_service_cpge=True)
        cpe = factory.Trait(status=Person.Status.CPE)


class AllocationPlanFactory(DjangoModelFactory):
    class Meta:
        model = AllocationPlan

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.SubFactory(SchoolYearFactory)


# --- IMP ----------------------------------------------------------------------------------------------------------


def imp_rate(amount: str):
    """The legal rate of this amount (seeded by imp/migrations/0002_rates.py)."""
    from decimal import Decimal

    from imp.models import ImpRate

    return ImpRate.objects.filter(amount=Decimal(amount)).order_by("-valid_from").first()


class EnvelopeFactory(DjangoModelFactory):
    class Meta:
        model = "imp.Envelope"
        django_get_or_create = ("school", "school_year")

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.SubFactory(SchoolYearFactory)
    amount = factory.LazyFunction(lambda: __import__("decimal").Decimal("7500.00"))


class ImpAwardFactory(DjangoModelFactory):
    """An award written directly (no service): for tests that need one in a given state."""

    class Meta:
        model = "imp.ImpAward"

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.SubFactory(SchoolYearFactory)
    person = factory.SubFactory(PersonFactory, school=factory.SelfAttribute("..school"))
    rate = factory.LazyFunction(lambda: imp_rate("1250"))
    whole_year = True
    start_date = factory.LazyAttribute(lambda a: a.school_year.start_date)
    end_date = factory.LazyAttribute(lambda a: a.school_year.end_date)
    state = "draft"

    class Params:
        proposed = factory.Trait(state="proposed")
        accepted = factory.Trait(state="accepted")
        validated = factory.Trait(state="validated")
        paying = factory.Trait(state="paying")
        rejected = factory.Trait(state="rejected", rejection_reason="Motif")
