"""Read the envelopes file the rectorat uploads: UAI;montant, refused whole with line-numbered French errors.

- Encoding UTF-8 with or without BOM; a file that is not valid UTF-8 is read as Windows-1252 (Excel).
- Separator `;` (`,` when the first line has a `,` and no `;`). CRLF or LF. Blank lines are ignored. At most 20 000 lines and 1 Mo.
- An optional header line whose first column is `uai` (any case) is skipped.
- Two columns per line: the school's UAI, the envelope in euros (`3750`, `3 750,00`, `3750.50`, `3 750 €`).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imp.money import euros_out_of_bounds, parse_euros
from rupn.lib import csvfiles
from rupn.lib.csvfiles import CsvFileError
from schools.uai import is_valid_uai

MAX_BYTES = 1_000_000
MAX_LINES = 20_000


@dataclass(frozen=True)
class EnvelopeLine:
    number: int
    uai: str
    amount: object  # Decimal


NOTHING_CHANGED = gettext_lazy("Aucune enveloppe n'a été modifiée.")


def refused(problems: list[tuple[int, str]] | list[str]) -> CsvFileError:
    """The file refused whole: nothing changed."""
    return CsvFileError(problems, outcome=NOTHING_CHANGED)


def read_envelope_csv(data: bytes) -> tuple[list[EnvelopeLine], list[tuple[int, str]]]:
    """The readable lines of the file and the problems of the others (CsvFileError for a whole-file problem)."""
    records = csvfiles.read_rows(
        data,
        max_bytes=MAX_BYTES,
        max_rows=MAX_LINES + 1,
        too_many=_("Le fichier contient plus de 20 000 lignes."),
        outcome=NOTHING_CHANGED,
    )
    problems: list[tuple[int, str]] = []
    lines: list[EnvelopeLine] = []
    seen: dict[str, int] = {}
    for index, (number, fields) in enumerate(records):
        fields = [field.strip() for field in fields]
        if index == 0 and fields[0].casefold() == "uai":
            continue
        line = _read_line(number, fields, problems)
        if line is None:
            continue
        if line.uai in seen:
            problems.append(
                (number, _("l'UAI %(uai)s figure déjà ligne %(other)d.") % {"uai": line.uai, "other": seen[line.uai]})
            )
        else:
            seen[line.uai] = number
            lines.append(line)
    if not lines and not problems:
        raise refused([_("Le fichier ne contient aucune enveloppe.")])
    return lines, problems


def _read_line(number: int, fields: list[str], problems: list[tuple[int, str]]) -> EnvelopeLine | None:
    while fields and not fields[-1]:
        fields = fields[:-1]
    if len(fields) != 2:
        problems.append((number, _("deux colonnes sont attendues, l'UAI et le montant, séparées par « ; ».")))
        return None
    uai, raw_amount = fields[0].upper(), fields[1]
    ok = True
    if not is_valid_uai(uai):
        problems.append((number, _("« %(uai)s » n'est pas un UAI valide.") % {"uai": fields[0]}))
        ok = False
    amount = parse_euros(raw_amount)
    if amount is None:
        problems.append(
            (
                number,
                _("« %(value)s » n'est pas un montant en euros (par exemple 3750 ou 3 750,00).")
                % {"value": raw_amount},
            )
        )
        ok = False
    elif amount <= 0:
        problems.append((number, _("le montant de l'enveloppe doit être positif.")))
        ok = False
    elif problem := euros_out_of_bounds(amount):
        problems.append((number, problem))
        ok = False
    return EnvelopeLine(number, uai, amount) if ok else None
