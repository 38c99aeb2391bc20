import pytest

from badges.models import Publication
from schools.models import Role
from tests.factories import BadgeAwardFactory, BadgeClassFactory, PersonFactory, RoleFactory, UserFactory

PUBLIC_URL = "https://rupn.ac-dijon.fr"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.RUPN_PUBLIC_URL = PUBLIC_URL
    settings.OPENBADGES_ISSUER_EMAIL = "numerique@ac-dijon.fr"


@pytest.fixture
def badge(cast):
    return BadgeClassFactory(academie=cast.dijon, name="Référent numérique 2026-2027")


@pytest.fixture
def award(cast, badge):
    return BadgeAwardFactory(badge=badge, recipient=cast.referent_a, school_year=cast.school_year)


@pytest.fixture
def public_year(cast):
    return Publication.objects.create(user=cast.referent_a, school_year=cast.school_year, public=True)


def make_referent(school, email: str, **names):
    user = UserFactory(email=email, **names)
    RoleFactory(user=user, kind=Role.Kind.REFERENT, school=school)
    PersonFactory(school=school, user=user, email=email)
    return user
