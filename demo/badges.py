"""The badges part of the demo (called by demo.loader): two badges of the DANE, one awarded to the demo referent.

The image is drawn here (a disc in the DSFR's blue and red, no text), so the demo needs no image library.
"""

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from badges.models import BadgeClass
from badges.services import award_create, badge_create

BLUE, RED, WHITE = (0, 0, 145), (225, 0, 15), (255, 255, 255)


def badge_png(size: int = 160) -> bytes:
    """A round badge: a blue disc, a white ring and a red rim, on a transparent background (RGBA PNG)."""
    centre = (size - 1) / 2
    rows = []
    for y in range(size):
        row = bytearray(b"\x00")  # filter: none
        for x in range(size):
            distance = ((x - centre) ** 2 + (y - centre) ** 2) ** 0.5 / (size / 2)
            if distance <= 0.78:
                row += bytes((*BLUE, 255))
            elif distance <= 0.86:
                row += bytes((*WHITE, 255))
            elif distance <= 0.98:
                row += bytes((*RED, 255))
            else:
                row += b"\x00\x00\x00\x00"
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def load_badges_demo(*, academie, year, referent_user, dane, created: dict) -> None:
    created["badges"] = 0
    if BadgeClass.objects.filter(academie=academie).exists():
        return
    image = badge_png()
    referent_badge = badge_create(
        academie=academie,
        name=f"Référent numérique {year.name}",
        description="Référent pour les ressources et usages pédagogiques numériques d'un établissement de "
        f"l'académie en {year.name}.",
        criteria="A tenu une mission de référent toute l'année scolaire et participé à la rencontre annuelle des "
        "référents de la DANE.",
        upload=SimpleUploadedFile("badge.png", image, content_type="image/png"),
        by=dane,
    )
    badge_create(
        academie=academie,
        name="Administrateur ENT",
        description="Administre l'espace numérique de travail de son établissement.",
        criteria="A tenu la mission « ENT — administrateur » une année scolaire complète.",
        upload=SimpleUploadedFile("badge-ent.png", image, content_type="image/png"),
        by=dane,
    )
    award_create(
        badge=referent_badge, recipient=referent_user, school_year=year, note="Merci pour cette année !", by=dane
    )
    created["badges"] += 2
