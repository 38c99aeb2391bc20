"""Read the envelopes file the rectorat uploads: UAI;montant, refused whole with line-numbered French errors.

- Encoding UTF-8 with or without BOM; a file that is not valid UTF-8 is read as Windows-1252 (Excel).
- Separator `;`. CRLF or LF. Blank lines are ignored. At most 20 000 lines and 1 Mo.
- An optional header line whose first column is `uai` (any case) is skipped.
- Two columns per line: the school's UAI, the envelope in euros (`3750`, `3 750,00`, `3750.50`, `3 750 €`).
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imp.money import parse_euros
from rupn.lib.errors import DomainError
from schools.uai import is_valid_uai

MAX_BYTES = 1_000_000
MAX_LINES = 20_000
MAX_ERRORS_SHOWN = 50


@dataclass(frozen=True)
class EnvelopeLine:
    number: int
    uai: str
    amount: object  # Decimal


class EnvelopeImportError(DomainError):
    """The file was refused whole; `errors` lists the line-numbered problems (at most 50, then a count)."""

    def __init__(self, errors: list[str]):
        shown = errors[:MAX_ERRORS_SHOWN]
        hidden = len(errors) - len(shown)
        if hidden:
            shown.append(
                ngettext("… et %(count)d autre erreur.", "… et %(count)d autres erreurs.", hidden) % {"count": hidden}
            )
        message = ngettext(
            "Le fichier n'a pas été importé : il contient %(count)d erreur. Aucune enveloppe n'a été modifiée.",
            "Le fichier n'a pas été importé : il contient %(count)d erreurs. Aucune enveloppe n'a été modifiée.",
            len(errors),
        ) % {"count": len(errors)}
        super().__init__(message, messages=shown)
        self.errors = shown


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel writes it, else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def format_problems(problems: list[tuple[int, str]]) -> list[str]:
    """Problems in line order, each prefixed with its line number (0: the whole file)."""
    return [
        _("Ligne %(line)d : %(text)s") % {"line": line, "text": text} if line else text
        for line, text in sorted(problems, key=lambda problem: problem[0])
    ]


def read_envelope_csv(data: bytes) -> tuple[list[EnvelopeLine], list[tuple[int, str]]]:
    """The readable lines of the file and the problems of the others (EnvelopeImportError for a whole-file problem)."""
    if len(data) > MAX_BYTES:
        raise EnvelopeImportError([_("Le fichier dépasse 1 Mo ; découpez-le en plusieurs fichiers.")])
    text = decode(data)
    if "\x00" in text:
        raise EnvelopeImportError([_("Ce fichier n'est pas un fichier CSV (UAI;montant).")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    problems: list[tuple[int, str]] = []
    lines: list[EnvelopeLine] = []
    seen: dict[str, int] = {}
    number = 1
    first = True
    for fields in reader:
        fields = [field.strip() for field in fields]
        if any(fields):
            if first and fields[0].casefold().strip("\ufeff ") == "uai":
                first = False
                number = reader.line_num + 1
                continue
            first = False
            line = _read_line(number, fields, problems)
            if line is not None:
                if line.uai in seen:
                    problems.append(
                        (
                            number,
                            _("l'UAI %(uai)s figure déjà ligne %(other)d.")
                            % {"uai": line.uai, "other": seen[line.uai]},
                        )
                    )
                else:
                    seen[line.uai] = number
                    lines.append(line)
            if len(lines) + len(problems) > MAX_LINES:
                raise EnvelopeImportError([_("Le fichier contient plus de 20 000 lignes.")])
        number = reader.line_num + 1
    if not lines and not problems:
        raise EnvelopeImportError([_("Le fichier ne contient aucune enveloppe.")])
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
    return EnvelopeLine(number, uai, amount) if ok else None
