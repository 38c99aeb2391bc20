"""The badge services: define (image checks), award one or many, revoke, publish."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from badges.models import BadgeAward, BadgeClass
from badges.services import (
    award_create,
    award_revoke,
    awards_create_bulk,
    badge_create,
    badge_update,
    publication_set,
)
from rupn.lib.errors import ConflictError, DomainError
from tests.badges.conftest import make_referent
from tests.factories import BadgeAwardFactory, tiny_png

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4" cx="5" cy="5"/></svg>'


def upload(data: bytes, name: str = "badge.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def create(cast, data: bytes, name: str = "Administrateur ENT", by=None) -> BadgeClass:
    return badge_create(
        academie=cast.dijon,
        name=name,
        description="Administre l'ENT de l'établissement.",
        criteria="A tenu la mission « ENT — administrateur » toute l'année.",
        upload=upload(data),
        by=by or cast.dane,
    )


def test_dane_defines_a_badge_with_a_png(cast):
    badge = create(cast, tiny_png())
    assert badge.image_format == "png" and badge.created_by == cast.dane
    with badge.image.open("rb") as handle:
        assert handle.read() == tiny_png()
    assert badge.image.name.startswith("badges/") and badge.image.name.endswith(".png")


def test_dane_defines_a_badge_with_an_svg(cast):
    assert create(cast, SVG).image_format == "svg"


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"%PDF-1.4 nothing",
        b"<html><body>hello</body></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><a x:href="javascript:1"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://tracker.example/p.png"/></svg>',
        b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
        tiny_png()[:-6],
    ],
    ids=["gif", "pdf", "html", "svg-script", "svg-onload", "svg-js-link", "svg-external", "svg-entity", "png-cut"],
)
def test_an_image_that_is_not_a_safe_png_or_svg_is_refused(cast, data):
    with pytest.raises(DomainError):
        create(cast, data)
    assert not BadgeClass.objects.exists()


def test_an_image_over_512_kb_is_refused(cast):
    with pytest.raises(DomainError, match="512 Ko"):
        create(cast, tiny_png() + b"\x00" * (512 * 1024))


def test_two_badges_of_an_academie_cannot_share_a_name(cast):
    create(cast, tiny_png())
    with pytest.raises(DomainError, match="déjà un badge"):
        create(cast, tiny_png())


def test_dane_of_another_academie_cannot_define_a_badge_here(cast):
    with pytest.raises(PermissionDenied):
        create(cast, tiny_png(), by=cast.dane_other)
    with pytest.raises(PermissionDenied):
        create(cast, tiny_png(), by=cast.rectorat)


def test_updating_a_badge_keeps_its_image_unless_a_new_one_is_given(cast, badge):
    old_name = badge.image.name
    badge_update(badge=badge, name="Référent 2027", description="D", criteria="C", by=cast.dane)
    badge.refresh_from_db()
    assert badge.name == "Référent 2027" and badge.image.name == old_name
    badge_update(badge=badge, name="Référent 2027", description="D", criteria="C", upload=upload(SVG), by=cast.dane)
    badge.refresh_from_db()
    assert badge.image_format == "svg" and badge.image.name != old_name


def test_bulk_award_skips_those_who_already_hold_the_badge_and_says_how_many(cast, badge):
    others = [make_referent(cast.school_b, f"ref{n}@ac-dijon.fr") for n in range(3)]
    award_create(badge=badge, recipient=others[0], school_year=cast.school_year, by=cast.dane)
    created, skipped = awards_create_bulk(
        badge=badge, recipients=[cast.referent_a, *others], school_year=cast.school_year, note="Bravo", by=cast.dane
    )
    assert (created, skipped) == (3, 1)
    assert badge.awards.count() == 4
    assert set(badge.awards.filter(note="Bravo").values_list("recipient_id", flat=True)) == {
        cast.referent_a.pk,
        others[1].pk,
        others[2].pk,
    }


def test_the_hash_is_computed_from_the_recipients_email_and_the_awards_salt(cast, badge):
    from badges.openbadges import hash_identity

    award = award_create(badge=badge, recipient=cast.referent_a, school_year=cast.school_year, by=cast.dane)
    assert award.identity_hash == hash_identity("referent.a@ac-dijon.fr", award.salt)


def test_only_referents_of_the_academie_may_receive_the_badge(cast, badge):
    besancon_referent = make_referent(cast.school_c, "ref@ac-besancon.fr")
    for stranger in (besancon_referent, cast.principal_a, cast.dane):
        with pytest.raises(DomainError, match="référents de l'académie"):
            awards_create_bulk(
                badge=badge, recipients=[cast.referent_a, stranger], school_year=cast.school_year, by=cast.dane
            )
    assert not BadgeAward.objects.exists()  # one transaction: nobody got it


def test_the_database_refuses_a_second_award_in_force_for_the_same_year(cast, badge):
    BadgeAwardFactory(badge=badge, recipient=cast.referent_a, school_year=cast.school_year)
    with pytest.raises(IntegrityError), transaction.atomic():
        BadgeAwardFactory(badge=badge, recipient=cast.referent_a, school_year=cast.school_year)


def test_the_database_refuses_a_second_award_in_force_without_a_year(cast, badge):
    BadgeAwardFactory(badge=badge, recipient=cast.referent_a, school_year=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        BadgeAwardFactory(badge=badge, recipient=cast.referent_a, school_year=None)


def test_a_revoked_badge_can_be_awarded_again(cast, award):
    award_revoke(award=award, reason="Erreur d'année", by=cast.dane)
    again = award_create(badge=award.badge, recipient=cast.referent_a, school_year=cast.school_year, by=cast.dane)
    assert again.pk != award.pk and again.uid != award.uid and again.salt != award.salt


def test_revoking_needs_a_reason_and_happens_once(cast, award):
    with pytest.raises(DomainError, match="motif"):
        award_revoke(award=award, reason="   ", by=cast.dane)
    award_revoke(award=award, reason="Attribué par erreur", by=cast.dane)
    award.refresh_from_db()
    assert award.revoked_at is not None and award.revoked_by == cast.dane
    with pytest.raises(ConflictError):
        award_revoke(award=award, reason="Encore", by=cast.dane)


def test_dane_of_another_academie_cannot_revoke(cast, award):
    with pytest.raises(PermissionDenied):
        award_revoke(award=award, reason="Non", by=cast.dane_other)


def test_nothing_is_public_by_default_and_the_referent_chooses(cast):
    publication = publication_set(user=cast.referent_a, school_year=cast.school_year, public=False)
    assert publication.public is False
    assert publication_set(user=cast.referent_a, school_year=cast.school_year, public=True).public is True
    again = publication_set(user=cast.referent_a, school_year=cast.school_year, public=True)
    assert again.pk == publication.pk and again.token == publication.token


# Issue 16, point 5: each vector the blocklist let through, now refused by the allowlist (badges/svg_allowlist.py).
_XLINK = b'xmlns:xlink="http://www.w3.org/1999/xlink"'
SVG_VECTORS = {
    "protocol-relative-href": b'<use href="//evil.example/sprite.svg#a"/>',
    "tab-inside-javascript": b'<use xlink:href="java&#9;script:alert(1)"/>',
    "newline-inside-javascript": b'<use href="java\nscript:alert(1)"/>',
    "set-href": b'<set attributeName="href" to="javascript:alert(1)"/>',
    "animate": b'<rect width="1" height="1"><animate attributeName="width" to="9"/></rect>',
    "style-import": b"<style>@import url(https://evil.example/a.css);</style>",
    "style-attribute-url": b'<rect style="fill:url(https://evil.example/p)"/>',
    "fill-external-url": b'<rect fill="url(https://evil.example/#g)"/>',
    "handler": b'<handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">alert(1)</handler>',
    "xhtml-script": b'<script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>',
    "foreign-object": b"<foreignObject><div>hi</div></foreignObject>",
    "link": b'<a href="https://evil.example/"><rect/></a>',
    "fe-image": b'<filter id="f"><feImage href="https://evil.example/p.png"/></filter>',
    "svg-in-data": b'<image href="data:image/svg+xml;base64,PHN2Zz4="/>',
    "xml-base": b'<g xml:base="https://evil.example/"/>',
}


def svg_with(body: bytes, prolog: bytes = b"") -> bytes:
    return (
        prolog + b'<svg xmlns="http://www.w3.org/2000/svg" ' + _XLINK + b' width="10" height="10">' + body + b"</svg>"
    )


@pytest.mark.parametrize("body", list(SVG_VECTORS.values()), ids=list(SVG_VECTORS))
def test_an_svg_outside_the_allowlist_is_refused(cast, body):
    with pytest.raises(DomainError, match="que du dessin"):
        create(cast, svg_with(body))
    assert not BadgeClass.objects.exists()


def test_an_svg_stylesheet_processing_instruction_is_refused(cast):
    with pytest.raises(DomainError):
        create(cast, svg_with(b"", prolog=b'<?xml-stylesheet href="https://evil.example/a.css"?>'))


def test_a_drawing_with_gradients_symbols_styles_and_editor_metadata_is_accepted(cast):
    drawing = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        b' xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"'
        b' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        b' viewBox="0 0 100 100" inkscape:version="1.3">'
        b"<metadata><rdf:RDF><rdf:Description><dc:title>Badge</dc:title></rdf:Description></rdf:RDF></metadata>"
        b'<defs><radialGradient id="g"><stop offset="0" stop-color="#000091"/></radialGradient>'
        b'<symbol id="star"><path d="M0 0L5 5Z"/></symbol></defs>'
        b'<circle cx="50" cy="50" r="40" fill="url(#g)" style="stroke:#e1000f; stroke-width:4"/>'
        b'<use xlink:href="#star" x="10"/><text x="50" y="55" text-anchor="middle">RUPN</text>'
        b"</svg>"
    )
    assert create(cast, drawing).image_format == "svg"
