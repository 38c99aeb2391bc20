"""Changes to badges: define, award (one or many), revoke, and a referent's publication choice."""

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from badges.baking import PNG_SIGNATURE, BakingError, bake_png, bake_svg, parse_svg
from badges.models import BadgeAward, BadgeClass, Publication
from badges.openbadges import hash_identity
from badges.selectors import referent_user_ids
from badges.svg_allowlist import UnsafeSvg, check_svg
from rupn.lib.errors import ConflictError, DomainError
from schools.access import Perm, require_academie_perm

MAX_IMAGE_BYTES = 512 * 1024


def _check_issuer(by, academie) -> None:
    if academie.pk not in require_academie_perm(by, Perm.MANAGE_BADGES):
        raise PermissionDenied(_("Seule la DANE de l'académie gère ses badges."))


class BadgeImageError(DomainError):
    """The uploaded image is refused: its message goes beside the image field."""


def badge_image_read(upload) -> tuple[bytes, str]:
    """The bytes and format ("png" or "svg") of an uploaded badge image; DomainError when it is neither."""
    if upload.size > MAX_IMAGE_BYTES:
        raise BadgeImageError(_("L'image dépasse 512 Ko."))
    data = upload.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise BadgeImageError(_("L'image dépasse 512 Ko."))
    if data.startswith(PNG_SIGNATURE):
        try:
            bake_png(data, "{}")
        except BakingError as error:
            raise BadgeImageError(_("Ce fichier PNG est endommagé.")) from error
        return data, BadgeClass.ImageFormat.PNG
    try:
        parse_svg(data)
        bake_svg(data, "{}", "https://example.invalid/")
    except (BakingError, UnicodeDecodeError) as error:
        raise BadgeImageError(_("L'image doit être un fichier PNG ou SVG.")) from error
    try:
        check_svg(data)  # an allowlist of elements and attributes (badges/svg_allowlist.py)
    except UnsafeSvg as error:
        raise BadgeImageError(
            _(
                "Une image SVG de badge ne peut contenir que du dessin : ni script, ni style, ni animation, "
                "ni lien ou contenu externe."
            )
        ) from error
    return data, BadgeClass.ImageFormat.SVG


def _clean_text(name: str, description: str, criteria: str) -> tuple[str, str, str]:
    name, description, criteria = " ".join(name.split()), description.strip(), criteria.strip()
    if not (name and description and criteria):
        raise DomainError(_("Donnez le nom, la description et les critères du badge."))
    return name, description, criteria


def _store_image(badge: BadgeClass, data: bytes, image_format: str) -> None:
    old = badge.image.name if badge.image else ""
    badge.image_format = image_format
    badge.image.save(f"badge.{image_format}", ContentFile(data), save=False)
    if old:
        storage = badge.image.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def badge_create(*, academie, name: str, description: str, criteria: str, upload, by) -> BadgeClass:
    """Define a badge of the académie (its image a PNG or an SVG)."""
    _check_issuer(by, academie)
    name, description, criteria = _clean_text(name, description, criteria)
    data, image_format = badge_image_read(upload)
    if BadgeClass.objects.filter(academie=academie, name=name).exists():
        raise DomainError(_("L'académie a déjà un badge de ce nom."))
    badge = BadgeClass(academie=academie, name=name, description=description, criteria=criteria, created_by=by)
    _store_image(badge, data, image_format)
    try:
        with transaction.atomic():
            badge.save()
    except IntegrityError as error:
        raise DomainError(_("L'académie a déjà un badge de ce nom.")) from error
    return badge


@transaction.atomic
def badge_update(*, badge: BadgeClass, name: str, description: str, criteria: str, upload=None, by) -> BadgeClass:
    """Change a badge's text, and its image when a new one is given (assertions already issued point to it)."""
    _check_issuer(by, badge.academie)
    name, description, criteria = _clean_text(name, description, criteria)
    if BadgeClass.objects.filter(academie=badge.academie, name=name).exclude(pk=badge.pk).exists():
        raise DomainError(_("L'académie a déjà un badge de ce nom."))
    badge.name, badge.description, badge.criteria = name, description, criteria
    if upload is not None:
        _store_image(badge, *badge_image_read(upload))
    badge.save()
    return badge


def _new_award(badge, recipient, school_year, note, by) -> BadgeAward:
    award = BadgeAward(badge=badge, recipient=recipient, school_year=school_year, note=note.strip(), awarded_by=by)
    award.identity_hash = hash_identity(recipient.email, award.salt)
    return award


def _already_awarded(badge, school_year):
    return BadgeAward.objects.filter(badge=badge, school_year=school_year, revoked_at__isnull=True)


@transaction.atomic
def awards_create_bulk(*, badge: BadgeClass, recipients, school_year=None, note: str = "", by) -> tuple[int, int]:
    """Award the badge to many referents of its académie at once; returns (awarded, skipped: already held)."""
    _check_issuer(by, badge.academie)
    BadgeClass.objects.select_for_update().filter(pk=badge.pk).first()  # one award run per badge at a time
    recipients = list(recipients)
    if not recipients:
        raise DomainError(_("Cochez au moins un référent."))
    eligible = referent_user_ids(badge.academie, [user.pk for user in recipients])
    strangers = [user for user in recipients if user.pk not in eligible]
    if strangers:
        raise DomainError(
            _("Seuls les référents de l'académie peuvent recevoir ce badge."),
            messages=[str(user) for user in strangers],
        )
    held = set(
        _already_awarded(badge, school_year).filter(recipient__in=recipients).values_list("recipient_id", flat=True)
    )
    new = [_new_award(badge, user, school_year, note, by) for user in recipients if user.pk not in held]
    try:
        with transaction.atomic():
            BadgeAward.objects.bulk_create(new)
    except IntegrityError as error:
        raise ConflictError(_("Ce badge vient d'être délivré en même temps : recommencez.")) from error
    return len(new), len(held)


def award_create(*, badge: BadgeClass, recipient, school_year=None, note: str = "", by) -> BadgeAward:
    """Award the badge to one referent (DomainError when they already hold it for that year)."""
    created, _skipped = awards_create_bulk(
        badge=badge, recipients=[recipient], school_year=school_year, note=note, by=by
    )
    if not created:
        raise DomainError(_("Ce référent a déjà ce badge pour cette année."))
    return _already_awarded(badge, school_year).get(recipient=recipient)


@transaction.atomic
def award_revoke(*, award: BadgeAward, reason: str, by) -> BadgeAward:
    """Revoke an award: its assertion then answers 410 Gone and it joins the issuer's revocation list."""
    _check_issuer(by, award.badge.academie)
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError(_("Donnez le motif de la révocation."))
    updated = BadgeAward.objects.filter(pk=award.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revocation_reason=reason[:500], revoked_by=by
    )
    if not updated:
        raise ConflictError(_("Ce badge est déjà révoqué."))
    award.refresh_from_db()
    return award


@transaction.atomic
def publication_set(*, user, school_year, public: bool) -> Publication:
    """A referent makes their badges and record of a school year public, or private again."""
    publication, _created = Publication.objects.get_or_create(user=user, school_year=school_year)
    if publication.public != public:
        publication.public = public
        publication.save(update_fields=["public", "updated_at"])
    return publication
