"""How numbers, dates and names are written in French, once for the whole project (no app imported).

- Euros: "1 250,00 €" (no-break spaces, so an amount never breaks across lines).
- Hours: "1 h 30" for a duration, "1 235,0 h" for totals, Decimal hours (1.50) for spreadsheets.
- Dates: "1er juin 2027", months "novembre 2026" or abbreviated "juil. 2027", ranges "du 1er au 30 juin 2027",
  never the English names the C locale would give (strftime's %B is never used).
- Elision and contraction: "de" and "à" before a name, "d'Audrey Perrin", "du Collège Montchapet",
  "de l'EREA", "au lycée Carnot", "à l'EREA", "aux Lentillères".
"""

import datetime
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
CENT = Decimal("0.01")

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
MONTHS_ABBR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def _grouped(units: str) -> str:
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return NBSP.join(groups) or "0"


def format_integer(value: int) -> str:
    """2000 -> "2 000" (no-break space between the groups)."""
    sign = "-" if value < 0 else ""
    return sign + _grouped(str(abs(int(value))))


def format_euros(value: Decimal | int | None) -> str:
    """1250 -> "1 250,00 €"; "" for None. Halves are rounded away from zero, as payroll does."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    return f"{sign}{_grouped(units)},{cents}{NBSP}€"


def format_duration(minutes: int | None) -> str:
    """ "1 h 30", "2 h", "45 min", "1 h 05"; "0 min" for nothing."""
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def format_hours(minutes: int | None) -> str:
    """Minutes as French hours with one decimal and grouped thousands: 74100 -> "1 235,0 h"."""
    tenths = int((Decimal(int(minutes or 0)) / 6).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    units, tenth = divmod(tenths, 10)
    return f"{_grouped(str(units))},{tenth}{NBSP}h"


def decimal_hours(minutes: int | None) -> Decimal:
    """Minutes as hours with two places, for spreadsheets: 90 -> Decimal("1.50")."""
    return (Decimal(int(minutes or 0)) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


# --- dates ------------------------------------------------------------------------------------------------------


def day_number(day: datetime.date) -> str:
    """ "1er" for the first of the month, else the number."""
    return "1er" if day.day == 1 else str(day.day)


def format_date(day: datetime.date, *, year: bool = True) -> str:
    """ "1er juin 2027", "15 mars 2027" (or without the year)."""
    text = f"{day_number(day)} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def short_date(day: datetime.date) -> str:
    """ "01/06/2027"."""
    return day.strftime("%d/%m/%Y")


def month_name(month: datetime.date, *, abbreviated: bool = False) -> str:
    """ "novembre 2026", or "nov. 2026" abbreviated ("juil.", "févr.", "sept."…)."""
    names = MONTHS_ABBR if abbreviated else MONTHS
    return f"{names[month.month - 1]} {month.year}"


def date_range(start: datetime.date, end: datetime.date) -> str:
    """ "du 1er au 30 juin 2027", "du 15 mars au 2 avril 2027", "du 1er novembre 2026 au 31 juillet 2027",
    "le 4 juin 2027" for one day."""
    if start == end:
        return f"le {format_date(start)}"
    if (start.year, start.month) == (end.year, end.month):
        first = day_number(start)
    elif start.year == end.year:
        first = format_date(start, year=False)
    else:
        first = format_date(start)
    return f"du {first} au {format_date(end)}"


# --- elision and contraction ------------------------------------------------------------------------------------

# The article a name takes when it starts with one of these words ("Collège Montchapet" is "le collège…").
IMPLICIT_ARTICLES = {
    "college": "le",
    "lycee": "le",
    "erea": "l'",
    "ecole": "l'",
    "etablissement": "l'",
    "cite": "la",
    "academie": "l'",
    "rectorat": "le",
    "dane": "la",
    "departement": "le",
    "conseil": "le",
    "region": "la",
    "collectivite": "la",
    "ministere": "le",
}
VOWELS = set("aeiouyh")
CONTRACTIONS = {("de", "le"): "du", ("de", "les"): "des", ("à", "le"): "au", ("à", "les"): "aux"}
APOSTROPHES = ("'", "\u2019")


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _starts_with_vowel(word: str) -> bool:
    return bool(word) and _plain(word[0]) in VOWELS


def with_preposition(preposition: str, name: str) -> str:
    """ "de" or "à" before a name, elided and contracted as French writes it.

    de + "Audrey Perrin" -> "d'Audrey Perrin"; de + "Collège Montchapet" -> "du Collège Montchapet";
    de + "EREA Joseph Pérard" -> "de l'EREA Joseph Pérard"; à + "lycée Carnot" -> "au lycée Carnot";
    à + "EREA" -> "à l'EREA"; de + "Les Lentillères" -> "des Lentillères"; de + "Romain" -> "de Romain".
    """
    if preposition not in ("de", "à"):
        raise ValueError(preposition)
    name = " ".join(str(name).split())
    if not name:
        return preposition
    first, _space, rest = name.partition(" ")
    plain = _plain(first)
    if plain in ("le", "les") and rest:
        return f"{CONTRACTIONS[(preposition, plain)]} {rest}"
    if plain == "la" and rest:
        return f"{preposition} {first} {rest}"
    if plain[:2] in ("l'", "l\u2019"):  # the article is part of the name: "de L'Isle-sur-le-Doubs"
        return f"{preposition} {name}"
    article = IMPLICIT_ARTICLES.get(plain.rstrip(".,"))
    if article == "l'":
        return f"{preposition} l'{name}"
    if article in ("le", "la"):
        return f"{CONTRACTIONS.get((preposition, article), f'{preposition} {article}')} {name}"
    if preposition == "de" and _starts_with_vowel(first):
        return f"d'{name}"
    return f"{preposition} {name}"


def of(name: str) -> str:
    """ "d'Audrey Perrin", "du Collège Montchapet", "de l'EREA"."""
    return with_preposition("de", name)


def to(name: str) -> str:
    """ "au lycée Carnot", "à l'EREA", "à Dijon"."""
    return with_preposition("à", name)


def sort_key(text: str) -> tuple[str, str]:
    """French order: accents and case ignored first ("Émilie" sorts with the E, not after Z), then the text itself
    as a tie-break. The one key for sorting names in Python (a database's order depends on its collation)."""
    return _plain(text), text


def person_sort_key(person) -> tuple:
    """A person (anything with last_name, first_name and pk) in French alphabetical order."""
    return (*sort_key(person.last_name), *sort_key(person.first_name), person.pk)
