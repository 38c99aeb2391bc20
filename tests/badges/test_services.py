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
