"""Durations as referents type them ("1 h 30", "45 min", "1,5"); rupn.lib.formats writes them ("1 h 30")."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_HOURS_MINUTES = re.compile(r"^(\d{1,2})\s*h(?:eures?)?\s*(?:(\d{1,2})\s*(?:min|mn|m)?)?$")
_MINUTES = re.compile(r"^(\d{1,4})\s*(?:min|mn|minutes?)$")
_DECIMAL_HOURS = re.compile(r"^(\d{1,2}(?:[.,]\d{1,2})?)$")


def parse_duration(text: str) -> int | None:
    """Minutes for "1 h 30", "1h", "90 min", "1,5" or "2" (hours); None when the text is not a duration.

    A bare whole number is hours up to 12 (no entry is longer) and minutes above: "2" is 2 h, "45" is 45 min.
    """
    value = " ".join(str(text).strip().lower().split())
    if match := _HOURS_MINUTES.match(value):
        hours, minutes = int(match.group(1)), int(match.group(2) or 0)
        return hours * 60 + minutes if minutes < 60 else None
    if match := _MINUTES.match(value):
        return int(match.group(1))
    if value.isdecimal() and int(value) > 12:
        return int(value)
    if match := _DECIMAL_HOURS.match(value):
        try:
            hours = Decimal(match.group(1).replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
            return None
        return int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return None
