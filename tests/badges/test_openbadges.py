"""The public Open Badges 2.0 documents (hosted verification): required fields, hashed recipient, revocation,
evidence only when public, and nothing disclosed beyond the assertion."""

import hashlib
import json

import pytest
from django.urls import reverse

from badges.services import award_revoke
from imp.models import ImpAward
from missions.models import AllocationPlan
from missions.services import plan_get_or_create
from tests.badges.conftest import PUBLIC_URL
from tests.factories import BadgeClassFactory, ImpAwardFactory

CONTEXT = "https://w3id.org/openbadges/v2"

# Required properties, from the Open Badges 2.0 specification's data model (IMS Global, 2017).
ASSERTION_REQUIRED = {"@context", "id", "type", "recipient", "badge", "verification", "issuedOn"}
IDENTITY_OBJECT_REQUIRED = {"type", "identity", "hashed"}  # salt: when hashed with one
VERIFICATION_OBJECT_REQUIRED = {"type"}
BADGE_CLASS_REQUIRED = {"@context", "id", "type", "name", "description", "image", "criteria", "issuer"}
CRITERIA_REQUIRED_ONE_OF = {"id", "narrative"}
PROFILE_REQUIRED = {"@context", "id", "type", "name", "url", "email"}  # url and email: an Issuer's contact
REVOCATION_LIST_REQUIRED = {"@context", "id", "type", "revokedAssertions"}
REVOKED_ASSERTION_REQUIRED = {"id", "revoked"}


def fetch(client, url: str, status: int = 200) -> dict:
    """GET a public document by its absolute id, anonymously."""
    assert url.startswith(PUBLIC_URL), url
    response = client.get(url.removeprefix(PUBLIC_URL))
    assert response.status_code == status, url
    assert response["Content-Type"].startswith("application/ld+json")
    return json.loads(response.content)


def test_the_assertion_badge_class_and_issuer_have_every_required_field_and_link_each_other(client, award):
    assertion_url = f"{PUBLIC_URL}/openbadges/assertions/{award.uid}/"
    assertion = fetch(client, assertion_url)
    assert set(assertion) >= ASSERTION_REQUIRED
    assert assertion["@context"] == CONTEXT
    assert assertion["type"] == "Assertion"
    assert assertion["id"] == assertion_url  # hosted: the id is where it is verified
    assert set(assertion["recipient"]) >= IDENTITY_OBJECT_REQUIRED
    assert assertion["recipient"]["type"] == "email" and assertion["recipient"]["hashed"] is True
    assert set(assertion["verification"]) >= VERIFICATION_OBJECT_REQUIRED
    assert assertion["verification"]["type"] in ("hosted", "HostedBadge")
    assert assertion["issuedOn"] == award.issued_on.isoformat()

    badge = fetch(client, assertion["badge"])
    assert set(badge) >= BADGE_CLASS_REQUIRED
    assert badge["type"] == "BadgeClass" and badge["@context"] == CONTEXT
    assert badge["id"] == assertion["badge"]
    assert CRITERIA_REQUIRED_ONE_OF & set(badge["criteria"])
    assert badge["name"] == "Référent numérique 2026-2027"
    image = client.get(badge["image"].removeprefix(PUBLIC_URL))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")

    issuer = fetch(client, badge["issuer"])
    assert set(issuer) >= PROFILE_REQUIRED
    assert issuer["type"] in ("Issuer", "Profile") and issuer["@context"] == CONTEXT
    assert issuer["id"] == badge["issuer"]
    assert issuer["email"] == "numerique@ac-dijon.fr"
    assert "Dijon" in issuer["name"]

    revocations = fetch(client, issuer["revocationList"])
    assert set(revocations) >= REVOCATION_LIST_REQUIRED
    assert revocations["type"] == "RevocationList" and revocations["revokedAssertions"] == []


def test_the_issuer_has_no_email_when_none_is_configured(client, settings, award):
    settings.OPENBADGES_ISSUER_EMAIL = ""
    issuer = fetch(client, f"{PUBLIC_URL}/openbadges/emetteurs/{award.badge.academie.code}/")
    assert "email" not in issuer and {"id", "type", "name", "url"} <= set(issuer)


def test_ids_follow_the_request_host_when_no_public_url_is_set(client, settings, award):
    settings.RUPN_PUBLIC_URL = ""
    document = json.loads(client.get(f"/openbadges/assertions/{award.uid}/").content)
    assert document["id"] == f"http://testserver/openbadges/assertions/{award.uid}/"


def test_the_hashed_recipient_matches_the_email_with_its_salt(client, cast, award):
    recipient = fetch(client, f"{PUBLIC_URL}/openbadges/assertions/{award.uid}/")["recipient"]
    expected = hashlib.sha256((cast.referent_a.email + recipient["salt"]).encode()).hexdigest()
    assert recipient["identity"] == f"sha256${expected}"
    other = hashlib.sha256((cast.principal_a.email + recipient["salt"]).encode()).hexdigest()
    assert recipient["identity"] != f"sha256${other}"


def test_each_award_has_its_own_salt(cast, badge):
    from badges.services import awards_create_bulk
    from tests.badges.conftest import make_referent

    other = make_referent(cast.school_b, "autre.referent@ac-dijon.fr")
    awards_create_bulk(badge=badge, recipients=[cast.referent_a, other], school_year=cast.school_year, by=cast.dane)
    salts = set(badge.awards.values_list("salt", flat=True))
    assert len(salts) == 2 and all(len(salt) >= 16 for salt in salts)


def test_a_revoked_assertion_answers_410_gone_and_is_in_the_revocation_list(client, cast, award):
    award_revoke(award=award, reason="Attribué par erreur", by=cast.dane)
    url = f"{PUBLIC_URL}/openbadges/assertions/{award.uid}/"
    revoked = fetch(client, url, status=410)
    assert set(revoked) >= REVOKED_ASSERTION_REQUIRED
    assert revoked["revoked"] is True and revoked["revocationReason"] == "Attribué par erreur"
    assert revoked["id"] == url
    assert "recipient" not in revoked
    revocations = fetch(client, f"{PUBLIC_URL}/openbadges/emetteurs/{cast.dijon.code}/revocations/")
    assert revocations["revokedAssertions"] == [{"id": url, "revocationReason": "Attribué par erreur"}]
    assert revocations["issuer"] == f"{PUBLIC_URL}/openbadges/emetteurs/{cast.dijon.code}/"


def test_the_evidence_is_the_public_record_only_when_the_year_is_public(client, cast, award):
    from badges.services import publication_set

    url = f"{PUBLIC_URL}/openbadges/assertions/{award.uid}/"
    assert "evidence" not in fetch(client, url)
    publication = publication_set(user=cast.referent_a, school_year=cast.school_year, public=True)
    evidence = fetch(client, url)["evidence"]
    assert evidence == f"{PUBLIC_URL}/openbadges/parcours/{publication.token}/"
    assert client.get(evidence.removeprefix(PUBLIC_URL)).status_code == 200
    publication_set(user=cast.referent_a, school_year=cast.school_year, public=False)
    assert "evidence" not in fetch(client, url)
    assert client.get(evidence.removeprefix(PUBLIC_URL)).status_code == 404


def test_the_public_record_shows_that_years_badges_and_missions_only(client, cast, award, public_year):
    from tests.factories import BadgeAwardFactory, SchoolYearFactory

    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    plan.rows.get(mission__code="tools.ent_admin").holders.add(cast.referent_person)
    AllocationPlan.objects.filter(pk=plan.pk).update(state="submitted", submitted_at="2026-10-01T10:00:00Z")
    ImpAwardFactory(school=cast.school_a, school_year=cast.school_year, person=cast.referent_person)
    last_year = SchoolYearFactory(start_year=cast.school_year.start_year - 1)
    BadgeAwardFactory(
        badge=BadgeClassFactory(academie=cast.dijon, name="Ancien badge"),
        recipient=cast.referent_a,
        school_year=last_year,
    )
    page = client.get(f"/openbadges/parcours/{public_year.token}/").content.decode()
    assert "Référent numérique 2026-2027" in page
    assert "ENT — administrateur" in page and "Collège Les Lentillères" in page
    assert "Ancien badge" not in page
    assert cast.referent_a.email not in page
    amount = ImpAward.objects.get().rate.amount
    assert "1 250" not in page and str(amount) not in page and "IMP" not in page


def test_a_private_record_is_a_404(client, cast, award):
    from badges.models import Publication

    private = Publication.objects.create(user=cast.referent_a, school_year=cast.school_year, public=False)
    assert client.get(f"/openbadges/parcours/{private.token}/").status_code == 404
    assert client.get("/openbadges/parcours/pas-un-jeton/").status_code == 404


@pytest.mark.parametrize("public", [False, True])
def test_no_public_response_contains_the_email_in_clear(client, cast, award, public):
    from badges.services import award_create, publication_set

    publication = publication_set(user=cast.referent_a, school_year=cast.school_year, public=public)
    revoked = award_create(
        badge=BadgeClassFactory(academie=cast.dijon),
        recipient=cast.referent_a,
        school_year=cast.school_year,
        by=cast.dane,
    )
    award_revoke(award=revoked, reason="Doublon", by=cast.dane)
    urls = [
        reverse("openbadges:assertion", args=[award.uid]),
        reverse("openbadges:assertion", args=[revoked.uid]),
        reverse("openbadges:badge", args=[award.badge_id]),
        reverse("openbadges:badge_image", args=[award.badge_id]),
        reverse("openbadges:issuer", args=[cast.dijon.code]),
        reverse("openbadges:revocations", args=[cast.dijon.code]),
        reverse("openbadges:record", args=[publication.token]),
    ]
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code in (200, 404, 410), url
        for secret in (cast.referent_a.email, cast.dane.email, "referent.a@"):
            assert secret.encode() not in body, (url, secret)


def test_the_assertion_discloses_nothing_beyond_itself(client, award):
    """No name, no school, no note: only the assertion's own properties (evidence only when public)."""
    award.note = "Très bonne année"
    award.save()
    document = fetch(client, f"{PUBLIC_URL}/openbadges/assertions/{award.uid}/")
    assert set(document) == {"@context", "type", "id", "recipient", "badge", "verification", "issuedOn", "image"}
    body = json.dumps(document, ensure_ascii=False)
    for secret in ("Très bonne année", "Romain", "Référent", "Lentillères"):
        assert secret not in body


def test_an_unknown_assertion_or_badge_is_a_404(client, award):
    assert client.get("/openbadges/assertions/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/openbadges/badges/999999/").status_code == 404
    assert client.get("/openbadges/emetteurs/99/").status_code == 404


def test_public_documents_refuse_post(client, award):
    assert client.post(f"/openbadges/assertions/{award.uid}/").status_code == 405
