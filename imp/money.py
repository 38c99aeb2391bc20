"""Money: Decimal euros with two places, shown the French way (1 250,00 €)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from rupn.lib.formats import format_euros

CENT = Decimal("0.01")
NBSP = "\u00a0"
MAX_EUROS = Decimal("9999999.99")  # the largest amount typed or imported: fits every money column (max_digits 8–10)


def to_cents(value: Decimal) -> Decimal:
    """Round to the cent, halves away from zero (as payroll does)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_euros(text: str) -> Decimal | None:
    """ "1 250,50 €", "1250.5", "1 250" -> Decimal with two places; None when it is not an amount.

    An amount beyond ±MAX_EUROS is returned as it is: check it with euros_out_of_bounds before saving."""
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


def euros_out_of_bounds(amount: Decimal) -> str | None:
    """The French message for an amount above MAX_EUROS (or below -MAX_EUROS), None when it is within bounds."""
    if abs(amount) <= MAX_EUROS:
        return None
    return _("le montant ne peut pas dépasser %(max)s.") % {"max": format_euros(MAX_EUROS)}
