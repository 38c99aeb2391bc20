"""The DANE's Open Badges: badge classes, awards (hosted assertions) and each referent's publication choice."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import Academie, SchoolYear


def badge_image_path(instance, filename: str) -> str:
    """A name nobody can guess: images are served by our views, never from MEDIA_URL."""
    return f"badges/{uuid.uuid4().hex}.{instance.image_format}"


class BadgeClass(models.Model):
    """A badge the DANE of an académie defines: the Open Badges BadgeClass."""

    class ImageFormat(models.TextChoices):
        PNG = "png", "PNG"
        SVG = "svg", "SVG"

    academie = models.ForeignKey(Academie, on_delete=models.PROTECT, related_name="badges", verbose_name=_("académie"))
    name = models.CharField(_("nom"), max_length=150)
    description = models.TextField(_("description"), max_length=2000)
    criteria = models.TextField(_("critères d'obtention"), max_length=4000)
    image = models.FileField(_("image"), upload_to=badge_image_path, max_length=200)
    image_format = models.CharField(_("format de l'image"), max_length=3, choices=ImageFormat.choices)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("badge")
        ordering = ["academie_id", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["academie", "name"], name="badge_name_unique_per_academie"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def content_type(self) -> str:
        return "image/svg+xml" if self.image_format == self.ImageFormat.SVG else "image/png"


def new_salt() -> str:
    return secrets.token_hex(16)


class BadgeAward(models.Model):
    """A badge awarded to a referent: a hosted Open Badges Assertion whose id is built from uid."""

    badge = models.ForeignKey(BadgeClass, on_delete=models.PROTECT, related_name="awards", verbose_name=_("badge"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="badge_awards", verbose_name=_("titulaire")
    )
    school_year = models.ForeignKey(
        SchoolYear, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("année scolaire")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    issued_on = models.DateTimeField(_("délivré le"), default=timezone.now)
    uid = models.UUIDField(_("identifiant de l'assertion"), default=uuid.uuid4, unique=True, editable=False)
    salt = models.CharField(_("sel"), max_length=64, default=new_salt, editable=False)
    # "sha256$" + sha256(e-mail + salt), frozen at award time: the assertion stays the same if the e-mail changes.
    identity_hash = models.CharField(_("empreinte du destinataire"), max_length=80, editable=False)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revocation_reason = models.CharField(_("motif de la révocation"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("badge délivré")
        verbose_name_plural = _("badges délivrés")
        ordering = ["-issued_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["badge", "recipient", "school_year"],
                condition=Q(revoked_at__isnull=True, school_year__isnull=False),
                name="badge_award_unique_per_year",
            ),
            models.UniqueConstraint(
                fields=["badge", "recipient"],
                condition=Q(revoked_at__isnull=True, school_year__isnull=True),
                name="badge_award_unique_without_year",
            ),
            models.CheckConstraint(
                name="badge_award_revoked_has_reason",
                condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.badge} — {self.recipient}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Publication(models.Model):
    """A referent's choice for one school year: their badges and record public or not (nothing is by default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="publications", verbose_name=_("référent")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("année scolaire")
    )
    public = models.BooleanField(_("public"), default=False)
    token = models.CharField(_("jeton de la page publique"), max_length=64, unique=True, default=new_token)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("publication du parcours")
        verbose_name_plural = _("publications des parcours")
        ordering = ["user_id", "school_year_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "school_year"], name="publication_unique_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.school_year}"
