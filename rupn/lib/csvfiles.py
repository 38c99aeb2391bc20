"""CSV files as French administrations exchange them: reading what people upload, writing what Excel opens.

Reading (the staff list, the envelopes, the school directory):

- UTF-8 with or without a byte order mark; a file that is not valid UTF-8 is read as Windows-1252 (what Excel
  on Windows writes as "CSV (séparateur : point-virgule)"), then Latin-1. A streamed file (the directory) is
  UTF-8 only, line by line.
- The separator is `;`, or `,` when the header line has a `,` and no `;`.
- Limits: bytes and lines per file (each importer gives its own), a cell of at most FIELD_SIZE_LIMIT characters
  and no NUL character: a line beyond a limit is refused with its number, never a server error.
- The whole file is refused with line-numbered errors (CsvFileError): the first MAX_ERRORS_SHOWN, then a count.

Writing (every CSV export): UTF-8 with a byte order mark, `;`, CRLF, Decimal and float with a decimal comma and
no thousands separator (1250,50), dates as jj/mm/aaaa, and every text cell through safe_cell so that a
spreadsheet never runs it as a formula. csv_lines() yields one line at a time for streaming responses.
"""

import csv
import datetime
import io
import itertools
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rupn.lib.errors import DomainError

MAX_ERRORS_SHOWN = 50
FIELD_SIZE_LIMIT = 131_072  # the csv module's default limit, never raised process-wide
BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NOTHING_SAVED = gettext_lazy("Rien n'a été enregistré ; corrigez le fichier puis importez-le à nouveau.")
NOT_CSV_ADVICE = gettext_lazy(
    "Ce fichier n'est pas un fichier CSV. Dans votre tableur, choisissez « Enregistrer sous » "
    "puis le format « CSV UTF-8 » ou « CSV (séparateur : point-virgule) »."
)

Problem = tuple[int, str]  # (line number, text); line 0: the whole file


class CsvFileError(DomainError):
    """The file was refused whole; `errors` lists the problems shown (at most MAX_ERRORS_SHOWN, then a count).

    `problems` keeps the (line, text) pairs when they were given as such; `outcome` says what was not saved.
    """

    def __init__(self, errors: list[str] | list[Problem], *, outcome: str = NOTHING_SAVED):
        self.problems = [e for e in errors if isinstance(e, tuple)]
        lines = format_problems(self.problems) if self.problems else list(errors)
        shown = lines[:MAX_ERRORS_SHOWN]
        hidden = len(lines) - len(shown)
        if hidden:
            shown.append(
                ngettext("… et %(count)d autre erreur.", "… et %(count)d autres erreurs.", hidden) % {"count": hidden}
            )
        message = ngettext(
            "Le fichier n'a pas été importé : il contient %(count)d erreur.",
            "Le fichier n'a pas été importé : il contient %(count)d erreurs.",
            len(lines),
        ) % {"count": len(lines)}
        super().__init__(f"{message} {outcome}", messages=shown)
        self.errors = shown
        self.error_count = len(lines)


def format_problems(problems: Iterable[Problem]) -> list[str]:
    """Problems in line order, each prefixed with its line number (0: the whole file)."""
    return [
        _("Ligne %(line)d : %(text)s") % {"line": line, "text": text} if line else text
        for line, text in sorted(problems, key=lambda problem: problem[0])
    ]


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel writes it, else Latin-1."""
    if data.startswith(BOM.encode()):
        data = data[3:]
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def separator(header_line: str) -> str:
    """`,` for a header with a `,` and no `;`, else `;`."""
    return "," if ";" not in header_line and "," in header_line else ";"


def _too_big_text() -> str:
    return _("un champ dépasse %(max)s caractères ; un guillemet n'est-il pas resté ouvert ?") % {"max": "131 072"}


def _nul_text() -> str:
    return _("la ligne contient un caractère nul : ce n'est pas du texte. ") + str(NOT_CSV_ADVICE)


def _records(reader, outcome: str = NOTHING_SAVED) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields) for every record; CsvFileError at an oversized or NUL cell."""
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            text = (
                _too_big_text()
                if "field larger" in str(error)
                else _("ligne illisible (%(error)s).") % {"error": error}
            )
            raise CsvFileError([(start, text)], outcome=outcome) from error
        if any("\x00" in field for field in fields):
            raise CsvFileError([(start, _nul_text())], outcome=outcome)
        yield start, fields
        start = reader.line_num + 1


def read_rows(
    data: bytes, *, max_bytes: int, max_rows: int, too_many: str, outcome: str = NOTHING_SAVED
) -> list[tuple[int, list[str]]]:
    """The non-blank records of an uploaded file with their line number (header included), read whole.

    max_bytes and max_rows (records, header included) bound the file; `too_many` is the message past max_rows;
    `outcome` says what a refusal leaves unchanged. The separator is taken from the first non-blank line.
    """
    if len(data) > max_bytes:
        raise CsvFileError(
            [_("Le fichier dépasse %(size)s ; découpez-le en plusieurs fichiers.") % {"size": _size(max_bytes)}],
            outcome=outcome,
        )
    text = decode(data)
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise CsvFileError([str(NOT_CSV_ADVICE)], outcome=outcome)  # a spreadsheet saved as .xlsx or .xls
    delimiter = separator(next((line for line in text.splitlines() if line.strip()), ""))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    for number, fields in _records(reader, outcome):
        if any(field.strip() for field in fields):
            records.append((number, fields))
            if len(records) > max_rows:
                raise CsvFileError([too_many], outcome=outcome)
    return records


def _size(max_bytes: int) -> str:
    return _("%(count)s Mo") % {"count": max_bytes // 1_000_000} if max_bytes >= 1_000_000 else f"{max_bytes} o"


def stream_rows(stream: Iterable[bytes]) -> Iterator[tuple[int, list[str]]]:
    """Every record of a streamed UTF-8 file with its line number, the separator taken from the header line.

    CsvFileError (one line-numbered problem) for an empty file, a line that is not UTF-8, an oversized cell or
    a NUL character; the file is never held whole in memory.
    """
    lines = _decoded_lines(stream)
    first = next(lines, "")
    if not first.strip():
        raise CsvFileError([_("Le fichier est vide : la première ligne doit nommer les colonnes.")])
    reader = csv.reader(itertools.chain([first], lines), delimiter=separator(first))
    yield from _records(reader)


def _decoded_lines(stream: Iterable[bytes]) -> Iterator[str]:
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(BOM.encode()):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CsvFileError(
                [(number, _("le fichier n'est pas encodé en UTF-8 ; enregistrez-le en « CSV UTF-8 »."))]
            ) from error


# --- writing --------------------------------------------------------------------------------------------------------


def safe_cell(value) -> str:
    """A text cell that a spreadsheet never runs as a formula (a leading ' makes it text)."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def decimal_text(value: Decimal | float, places: int = 2) -> str:
    """1250.5 -> "1250,50": a decimal comma and no thousands separator, as French spreadsheets read numbers."""
    return f"{Decimal(str(value)) if isinstance(value, float) else value:.{places}f}".replace(".", ",")


def cell(value) -> str:
    """One cell: numbers as French spreadsheets read them, dates jj/mm/aaaa, text through safe_cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        return decimal_text(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return safe_cell(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """The file line by line: the BOM and header first, then one CRLF-ended line per row."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield BOM + writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable], *, stream: bool = False):
    """A download of the file; stream=True for exports whose size grows with the académie (rows read lazily)."""
    lines = csv_lines(header, rows)
    if stream:
        response = StreamingHttpResponse((line.encode() for line in lines), content_type=CONTENT_TYPE)
    else:
        response = HttpResponse("".join(lines).encode(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
