"""factory_boy factories: Traits rather than subclasses."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from activity.models import ActivityEntry, Review
from badges.openbadges import hash_identity
from events.models import Event, EventRegistration
from missions.models import AllocationPlan, Mission
from schools.models import (
    Academie,
    AuthorizedAction,
    Collectivity,
    Departement,
    EquipmentRequest,
    Person,
    ProcedureSheet,
    Role,
    School,
    SchoolMeans,
    SchoolYear,
    User,
)
from schools.uai import uai_check_letter


def make_uai(n: int) -> str:
    digits = f"{n:07d}"
    return digits + uai_check_letter(digits)


class AcademieFactory(DjangoModelFactory):
    class Meta:
        model = Academie
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{100 + n % 900}")  # three characters, whatever the number of tests
    name = factory.Sequence(lambda n: f"Académie {n}")


class DepartementFactory(DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{100 + n % 900}")  # three characters, whatever the number of tests
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


# --- the collectivités' side and the school directory (schools app) ----------------------------------------------

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class AuthorizedActionFactory(DjangoModelFactory):
    class Meta:
        model = AuthorizedAction

    collectivity = factory.SubFactory(CollectivityFactory)
    school_year = factory.SubFactory(SchoolYearFactory)
    action = AuthorizedAction.Action.AMON
    convention_reference = "CONV-2026-01"

    class Params:
        other = factory.Trait(action=AuthorizedAction.OTHER, other_label="Gestion des imprimantes")


class ProcedureSheetFactory(DjangoModelFactory):
    class Meta:
        model = ProcedureSheet

    action = factory.SubFactory(AuthorizedActionFactory)
    title = factory.Sequence(lambda n: f"Fiche de procédure {n}")
    file = factory.django.FileField(filename="procedure.pdf", data=MINIMAL_PDF)
    original_name = "procedure.pdf"
    size = len(MINIMAL_PDF)

    class Params:
        is_validated = factory.Trait(validated=True, validated_at=factory.LazyFunction(timezone.now))


class SchoolMeansFactory(DjangoModelFactory):
    class Meta:
        model = SchoolMeans

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.SubFactory(SchoolYearFactory)


class EquipmentRequestFactory(DjangoModelFactory):
    class Meta:
        model = EquipmentRequest

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.SubFactory(SchoolYearFactory)
    item = factory.Sequence(lambda n: f"Vidéoprojecteur {n}")
    quantity = 2
    use = "Salles de sciences"
    priority = factory.Sequence(lambda n: n + 1)

    class Params:
        sent = factory.Trait(
            state=EquipmentRequest.State.SENT,
            sent_at=factory.LazyFunction(timezone.now),
        )


# --- activity log, points d'étape, DANE events (missions) ---------------------------------------------------


class ActivityEntryFactory(DjangoModelFactory):
    class Meta:
        model = ActivityEntry

    person = factory.SubFactory(PersonFactory)
    mission = factory.LazyFunction(lambda: Mission.objects.get(code="support_teams"))
    date = factory.LazyFunction(lambda: timezone.localdate())
    minutes = 60
    kind = "accompaniment"
    description = factory.Sequence(lambda n: f"Accompagnement n° {n}")

    class Params:
        ticket = factory.Trait(kind="ticket", ticket_number=factory.Sequence(lambda n: f"T-{1000 + n}"))


class ReviewFactory(DjangoModelFactory):
    class Meta:
        model = Review

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.SubFactory(SchoolYearFactory)
    date = factory.LazyAttribute(lambda r: r.school_year.start_date + datetime.timedelta(days=60))

    class Params:
        done = factory.Trait(
            state="done",
            done_at=factory.LazyFunction(lambda: timezone.now()),
            achievements="Prise en main de l'ENT par l'équipe de SVT.",
        )


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    academie = factory.SubFactory(AcademieFactory)
    kind = "training"
    title = factory.Sequence(lambda n: f"Formation PAF n° {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + datetime.timedelta(hours=3))
    place = "Canopé Dijon, salle 2"

    class Params:
        past = factory.Trait(starts_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3)))
        virtual = factory.Trait(kind="virtual_class", place="", link="https://classe-virtuelle.ac-dijon.fr/rupn")


class EventRegistrationFactory(DjangoModelFactory):
    class Meta:
        model = EventRegistration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)


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


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A valid RGB PNG of the given size, built by hand (no image library)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\x00\x6a\xcc" * width for _row in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b"")


class BadgeClassFactory(DjangoModelFactory):
    """A badge of an académie with a small PNG image (Trait svg: an SVG image)."""

    class Meta:
        model = "badges.BadgeClass"

    academie = factory.SubFactory(AcademieFactory)
    name = factory.Sequence(lambda n: f"Référent numérique {n}")
    description = "Référent numérique d'un établissement de l'académie."
    criteria = "A tenu une mission toute l'année et participé à la rencontre annuelle."
    image_format = "png"
    image = factory.django.FileField(filename="badge.png", data=tiny_png())

    class Params:
        svg = factory.Trait(
            image_format="svg",
            image=factory.django.FileField(
                filename="badge.svg",
                data=b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4" cx="5" cy="5"/></svg>',
            ),
        )


class BadgeAwardFactory(DjangoModelFactory):
    """An award written directly (the services build the hash the same way)."""

    class Meta:
        model = "badges.BadgeAward"

    badge = factory.SubFactory(BadgeClassFactory)
    recipient = factory.SubFactory(UserFactory)
    school_year = factory.SubFactory(SchoolYearFactory)
    salt = factory.Sequence(lambda n: f"{n:032x}")
    identity_hash = factory.LazyAttribute(lambda a: hash_identity(a.recipient.email, a.salt))

    class Params:
        revoked = factory.Trait(revoked_at=factory.LazyFunction(timezone.now), revocation_reason="Attribué par erreur")


class ProjectFactory(DjangoModelFactory):
    """A digital-education project of a school (recognition)."""

    class Meta:
        model = "recognition.Project"

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.SubFactory(SchoolYearFactory)
    title = factory.Sequence(lambda n: f"Projet numérique {n}")
    classes = "5e A, 5e B"

    class Params:
        twhaiku = factory.Trait(dane_project="twhaiku", title=factory.Sequence(lambda n: f"Tw'haïku {n}"))
        featured_by_dane = factory.Trait(featured=True, featured_at=factory.LazyFunction(timezone.now))


def tiny_jpeg(width: int = 4, height: int = 4) -> bytes:
    """A valid JPEG (Pillow, which WeasyPrint installs)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 106, 204)).save(out, "JPEG")
    return out.getvalue()


class HelpRequestFactory(DjangoModelFactory):
    """A request of a teacher of the school (its author a Person of that school)."""

    class Meta:
        model = "helpdesk.HelpRequest"

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.LazyFunction(lambda: SchoolYear.current())
    author = factory.SubFactory(PersonFactory, school=factory.SelfAttribute("..school"))
    subject = factory.Sequence(lambda n: f"Vidéoprojecteur en panne {n}")
    location = "Salle B12"


class TeamSessionFactory(DjangoModelFactory):
    class Meta:
        model = "helpdesk.TeamSession"

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.LazyFunction(lambda: SchoolYear.current())
    referent = factory.SubFactory(PersonFactory, school=factory.SelfAttribute("..school"))
    topic = "Prendre en main l'ENT"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    room = "CDI"
    places = 3
