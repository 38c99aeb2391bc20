"""Read the staff list a principal uploads: a CSV file, refused whole with line-numbered French errors.

Staff CSV format
----------------

- **Encoding**: UTF-8, with or without a byte order mark ("CSV UTF-8" in Excel). When the bytes are
  not valid UTF-8 the file is read as Windows-1252 (what Excel on Windows writes as "CSV (séparateur :
  point-virgule)"), which also covers Latin-1.
- **Separator**: `;`. The separator is taken from the header line: if that line has no `;` but has a `,`,
  the whole file is read with `,`. Fields may be enclosed in double quotes (`"Martin; Jean"`, `""` for a
  quote inside a quoted field).
- **Line endings**: CRLF (Windows) or LF (Unix). Blank lines, and lines made only of separators, are ignored.
- **Header**: the first line names the columns, in any order. Names are compared ignoring case, accents,
  spaces and punctuation (`Prénom`, `PRENOM`, `E-mail` are fine). Unknown columns are ignored.

  | column   | required | content                                                                  |
  |----------|----------|--------------------------------------------------------------------------|
  | `nom`    | yes      | last name, at most 100 characters                                        |
  | `prenom` | yes      | first name, at most 100 characters                                       |
  | `email`  | no       | e-mail address, at most 254 characters; stored in lower case             |
  | `statut` | no       | `enseignant` (default when empty), `professeur` (= enseignant),          |
  |          |          | `documentaliste`, `professeur documentaliste` (= documentaliste), `cpe`, |
  |          |          | `direction`, `autre`; case and accents ignored                           |
  | `cpge`   | no       | full service in CPGE: `oui`, `vrai`, `1`, `x` or `non`, `faux`, `0`,     |
  |          |          | empty (= non); case ignored                                              |
  | `depart` | no       | leaving the school at the end of the year: same values as `cpge`         |

  Spaces around values are removed, and runs of spaces inside names are reduced to one.
- **Size**: at most 5 000 staff lines (header not counted) and 1 000 000 bytes (1 Mo).
  A cell over 131 072 characters or a NUL character refuses the file with its line number
  (rupn.lib.csvfiles reads the file for every import).

Example::

    nom;prenom;email;statut;cpge;depart
    Martin;Claude;claude.martin@ac-dijon.fr;enseignant;non;non
    Durand;Léa;lea.durand@ac-dijon.fr;professeur documentaliste;;oui
    Petit;Jean;;cpe;;

The file is checked whole before anything is saved. Each problem is reported with its line number (the
header is line 1), for instance "Ligne 4 : le statut « prof » est inconnu ; valeurs possibles :
enseignant, documentaliste, cpe, direction, autre." The checks: a required column missing or a column given twice;
a line with more or fewer fields than the header; an empty nom or prenom; a value longer than allowed;
an invalid e-mail address; an unknown statut; an unreadable cpge or depart value; the same e-mail address
on two lines (case ignored; both line numbers are given); the same nom and prenom on two lines that both
lack an e-mail address (add the addresses to tell the two people apart); a quote left open. An empty file,
or a file with only the header, is refused too. All the problems of the file are reported (the first 50,
then their count).

Importing (schools.services.staff_import) never deletes anyone and writes nothing unless every line is
accepted. Each line is matched with a person of the school:

- a line with an e-mail address, with the person who has that address (case ignored);
- a line without an address, with the person of the same nom and prenom (case ignored) who has no address
  either; if several people of the school fit, the file is refused (give that line an address);
- a line whose address no one in the school has yet, with the one person of the same nom and prenom who has
  no address, unless another line already took that person: the address is added to their record.

A matched person whose values differ is updated; a line that matches no one creates a person. A column left
out of the file leaves that field unchanged for people already recorded (new people get the default).
Importing the same file twice changes nothing the second time.
"""

import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from rupn.lib import csvfiles
from rupn.lib.csvfiles import CsvFileError
from schools.models import Person

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000

REQUIRED_COLUMNS = ("nom", "prenom")
OPTIONAL_COLUMNS = ("email", "statut", "cpge", "depart")

STATUS_VALUES = {
    "enseignant": Person.Status.TEACHER,
    "professeur": Person.Status.TEACHER,
    "documentaliste": Person.Status.LIBRARIAN,
    "professeur documentaliste": Person.Status.LIBRARIAN,
    "cpe": Person.Status.CPE,
    "direction": Person.Status.DIRECTION,
    "autre": Person.Status.OTHER,
}
TRUE_VALUES = {"oui", "vrai", "1", "x"}
FALSE_VALUES = {"non", "faux", "0", ""}

_LAST_NAME_MAX = Person._meta.get_field("last_name").max_length
_FIRST_NAME_MAX = Person._meta.get_field("first_name").max_length
_EMAIL_MAX = Person._meta.get_field("email").max_length
_validate_email = EmailValidator()


@dataclass(frozen=True)
class StaffRow:
    """One valid staff line; `columns` names the optional columns the file has (the others keep their default)."""

    line: int
    last_name: str
    first_name: str
    email: str = ""
    status: str = Person.Status.TEACHER
    full_service_cpge: bool = False
    leaving: bool = False
    columns: frozenset[str] = frozenset()


def normalize(value: str) -> str:
    """Lower case, no accents, words separated by single spaces: how header names and choices are compared."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    letters = "".join(" " if not (c.isalnum() or unicodedata.combining(c)) else c for c in decomposed)
    return " ".join("".join(c for c in letters if not unicodedata.combining(c)).split())


def _column_key(name: str) -> str:
    return normalize(name).replace(" ", "")


def _bool(value: str) -> bool | None:
    key = normalize(value)
    if key in TRUE_VALUES:
        return True
    if key in FALSE_VALUES:
        return False
    return None


def parse_staff_csv(data: bytes) -> list[StaffRow]:
    """The staff lines of the file, or CsvFileError listing every problem found."""
    records = csvfiles.read_rows(
        data,
        max_bytes=MAX_BYTES,
        max_rows=MAX_ROWS + 1,
        too_many=_("Le fichier contient plus de %(max)s lignes de personnel ; découpez-le en plusieurs fichiers.")
        % {"max": "5 000"},
    )
    if len(records) < 2:
        raise CsvFileError([_("Le fichier ne contient aucune ligne de personnel.")])

    (header_line, header), body = records[0], records[1:]
    positions, problems = _read_header(header_line, header)
    if problems:
        raise CsvFileError(problems)

    rows: list[StaffRow] = []
    identities: list[tuple[int, str, str]] = []
    for number, fields in body:
        row, identity = _read_row(number, fields, len(header), positions, problems)
        if row is not None:
            rows.append(row)
        if identity is not None:
            identities.append(identity)
    _check_duplicates(identities, problems)
    if problems:
        raise CsvFileError(problems)
    return rows


def _read_header(number: int, header: list[str]) -> tuple[dict[str, int], list[tuple[int, str]]]:
    positions: dict[str, int] = {}
    problems: list[tuple[int, str]] = []
    for index, name in enumerate(header):
        key = _column_key(name)
        if key not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            continue
        if key in positions:
            problems.append((number, _("la colonne « %(name)s » apparaît deux fois.") % {"name": key}))
        positions[key] = index
    for name in REQUIRED_COLUMNS:
        if name not in positions:
            problems.append((0, _("Colonne obligatoire absente : %(name)s.") % {"name": name}))
    return positions, problems


def _read_row(
    number: int, fields: list[str], width: int, positions: dict[str, int], problems: list[tuple[int, str]]
) -> tuple[StaffRow | None, tuple[int, str, str] | None]:
    """The row (None when it has a problem) and what identifies it: (line, e-mail, "first last"), None if unclear."""
    if any("\n" in field or "\r" in field for field in fields):
        problems.append((number, _("un champ contient un retour à la ligne ; un guillemet n'est-il pas fermé ?")))
        return None, None
    if len(fields) != width:
        problems.append(
            (
                number,
                _(
                    "%(found)d champs au lieu de %(expected)d comme dans l'en-tête ; vérifiez les séparateurs "
                    "et les guillemets."
                )
                % {"found": len(fields), "expected": width},
            )
        )
        return None, None

    def cell(name: str) -> str:
        return fields[positions[name]].strip() if name in positions else ""

    found = len(problems)
    last_name = " ".join(cell("nom").split())
    first_name = " ".join(cell("prenom").split())
    for value, label, limit in (
        (last_name, _("le nom"), _LAST_NAME_MAX),
        (first_name, _("le prénom"), _FIRST_NAME_MAX),
    ):
        if not value:
            problems.append((number, _("%(field)s est vide.") % {"field": label}))
        elif len(value) > limit:
            problems.append(_too_long(number, label, value, limit))

    identity = (number, "", f"{first_name} {last_name}") if last_name and first_name else None
    email = cell("email").lower()
    if len(email) > _EMAIL_MAX:
        problems.append(_too_long(number, _("l'adresse électronique"), email, _EMAIL_MAX))
        identity = None
    elif email:
        try:
            _validate_email(email)
        except ValidationError:
            problems.append(
                (number, _("l'adresse électronique « %(value)s » n'est pas valide.") % {"value": cell("email")})
            )
            identity = None
        else:
            identity = (number, email, f"{first_name} {last_name}")

    status = STATUS_VALUES.get(normalize(cell("statut")) or "enseignant")
    if status is None:
        problems.append(
            (
                number,
                _(
                    "le statut « %(value)s » est inconnu ; valeurs possibles : enseignant, documentaliste, cpe, direction, autre."
                )
                % {"value": cell("statut")},
            )
        )

    flags: dict[str, bool | None] = {}
    for name in ("cpge", "depart"):
        flags[name] = _bool(cell(name))
        if flags[name] is None:
            problems.append(
                (
                    number,
                    _(
                        "la valeur « %(value)s » de la colonne %(column)s n'est pas reconnue ; "
                        "valeurs possibles : oui, non, vrai, faux, 1, 0, x ou vide."
                    )
                    % {"value": cell(name), "column": name},
                )
            )

    if len(problems) > found:
        return None, identity
    row = StaffRow(
        line=number,
        last_name=last_name,
        first_name=first_name,
        email=email,
        status=status,
        full_service_cpge=bool(flags["cpge"]),
        leaving=bool(flags["depart"]),
        columns=frozenset(name for name in OPTIONAL_COLUMNS if name in positions),
    )
    return row, identity


def _too_long(number: int, label: str, value: str, limit: int) -> tuple[int, str]:
    return number, _("%(field)s dépasse %(max)d caractères (%(length)d).") % {
        "field": label,
        "max": limit,
        "length": len(value),
    }


def _check_duplicates(identities: list[tuple[int, str, str]], problems: list[tuple[int, str]]) -> None:
    """Report a line whose e-mail address, or whose name when both lines lack an address, came earlier."""
    first_line: dict[tuple[str, str], int] = {}
    for line, email, name in identities:
        first = first_line.setdefault((email, "" if email else name.casefold()), line)
        if first == line:
            continue
        if email:
            text = _("l'adresse électronique « %(email)s » figure déjà ligne %(first)d.")
        else:
            text = _(
                "« %(name)s » figure déjà ligne %(first)d, et aucune de ces deux lignes n'a d'adresse "
                "électronique ; ajoutez-les pour distinguer ces deux personnes."
            )
        problems.append((line, text % {"email": email, "name": name, "first": first}))
