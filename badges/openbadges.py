"""The Open Badges 2.0 JSON-LD documents of hosted verification: issuer profile, badge class, assertion,
revocation list. Each id is the public URL that answers it (RUPN_PUBLIC_URL, else the request's host)."""

import hashlib

from django.conf import settings
from django.urls import reverse

CONTEXT = "https://w3id.org/openbadges/v2"
CONTENT_TYPE = "application/ld+json"


def public_base(request) -> str:
    """The scheme and host of the public badge URLs, without a trailing slash."""
    configured = settings.RUPN_PUBLIC_URL.rstrip("/")
    return configured or f"{request.scheme}://{request.get_host()}"


def hash_identity(email: str, salt: str) -> str:
    """The recipient's hashed identity: "sha256$" + hex sha256 of the e-mail (lower case) followed by the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def issuer_url(base: str, academie) -> str:
    return base + reverse("openbadges:issuer", args=[academie.code])


def revocation_list_url(base: str, academie) -> str:
    return base + reverse("openbadges:revocations", args=[academie.code])


def badge_url(base: str, badge) -> str:
    return base + reverse("openbadges:badge", args=[badge.pk])


def badge_image_url(base: str, badge) -> str:
    return base + reverse("openbadges:badge_image", args=[badge.pk])


def assertion_url(base: str, award) -> str:
    return base + reverse("openbadges:assertion", args=[award.uid])


def evidence_url(base: str, publication) -> str:
    return base + reverse("openbadges:record", args=[publication.token])


def issuer_profile(base: str, academie) -> dict:
    """The DANE of the académie as an Issuer Profile."""
    document = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": issuer_url(base, academie),
        "name": f"DANE — {academie}",
        "url": base + "/",
        "revocationList": revocation_list_url(base, academie),
    }
    if settings.OPENBADGES_ISSUER_EMAIL:
        document["email"] = settings.OPENBADGES_ISSUER_EMAIL
    return document


def badge_class(base: str, badge) -> dict:
    return {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": badge_url(base, badge),
        "name": badge.name,
        "description": badge.description,
        "image": badge_image_url(base, badge),
        "criteria": {"narrative": badge.criteria},
        "issuer": issuer_url(base, badge.academie),
    }


def assertion(base: str, award, publication=None) -> dict:
    """A hosted assertion; evidence is the referent's public record of the year, only when they made it public."""
    document = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_url(base, award),
        "recipient": {"type": "email", "hashed": True, "salt": award.salt, "identity": award.identity_hash},
        "badge": badge_url(base, award.badge),
        "verification": {"type": "hosted"},
        "issuedOn": award.issued_on.isoformat(),
        "image": badge_image_url(base, award.badge),
    }
    if publication is not None and publication.public:
        document["evidence"] = evidence_url(base, publication)
    return document


def revoked_assertion(base: str, award) -> dict:
    """What a revoked hosted assertion answers (with HTTP 410 Gone)."""
    return {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_url(base, award),
        "revoked": True,
        "revocationReason": award.revocation_reason,
    }


def revocation_list(base: str, academie, revoked_awards) -> dict:
    return {
        "@context": CONTEXT,
        "type": "RevocationList",
        "id": revocation_list_url(base, academie),
        "issuer": issuer_url(base, academie),
        "revokedAssertions": [
            {"id": assertion_url(base, award), "revocationReason": award.revocation_reason} for award in revoked_awards
        ],
    }
