"""The UAI, the national school identifier: 7 digits and a check letter."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
UAI_PATTERN = re.compile(r"([0-9]{7})([A-Z])")


def uai_check_letter(digits: str) -> str:
    """Return the check letter of the seven digits of a UAI."""
    return CHECK_LETTERS[int(digits) % 23]


def is_valid_uai(value: str) -> bool:
    match = UAI_PATTERN.fullmatch(value or "")
    return bool(match) and uai_check_letter(match.group(1)) == match.group(2)


def validate_uai(value: str) -> None:
    match = UAI_PATTERN.fullmatch(value or "")
    if not match:
        raise ValidationError(
            _("« %(value)s » n'est pas un UAI : 7 chiffres suivis d'une lettre, par exemple 0210001M."),
            params={"value": value},
            code="uai_format",
        )
    expected = uai_check_letter(match.group(1))
    if match.group(2) != expected:
        raise ValidationError(
            _("L'UAI « %(value)s » est invalide : la lettre de contrôle devrait être %(letter)s."),
            params={"value": value, "letter": expected},
            code="uai_check_letter",
        )
