"""Money: Decimal euros with two places, shown the French way (1 250,00 €)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
NBSP = "\u00a0"


def to_cents(value: Decimal) -> Decimal:
    """Round to the cent, halves away from zero (as payroll does)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_euros(text: str) -> Decimal | None:
    """ "1 250,50 €", "1250.5", "1 250" -> Decimal with two places; None when it is not an amount."""
    cleaned = text.strip().replace("€", "").replace(NBSP, "").replace("\u202f", "").replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not cleaned or not all(c.isdecimal() or c in ".-" for c in cleaned):
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        return None
    return amount.quantize(CENT)
