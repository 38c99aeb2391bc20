"""Every .xlsx export of the project, written one way with XlsxWriter.

One sheet: a bold header row that stays frozen, an autofilter over the table, column widths that fit their
content, amounts with a euro format, other Decimals with two places, dates as jj/mm/aaaa. Every text cell is
written with write_string, so a value such as "=HYPERLINK(…)" or "@SUM(1+1)" stays text, never a formula
(XlsxWriter's write() would turn it into one). Rows are written as they come (constant_memory), so the file
is not held in memory whatever its number of rows.
"""

import datetime
import tempfile
from collections.abc import Iterable
from decimal import Decimal

import xlsxwriter
from django.http import FileResponse
from django.utils.translation import gettext as _

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EURO_FORMAT = '#,##0.00 "€"'
MAX_TEXT = 32_767  # characters in one cell (Excel's limit)
MAX_WIDTH = 60
SHEET_NAME_MAX = 31


def write_workbook(
    output, sheet_name: str, header: list, rows: Iterable[Iterable], *, money_columns: Iterable[int] = ()
) -> None:
    """Write the header and rows into `output` (a path or a binary file)."""
    money = set(money_columns)
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet(sheet_name[:SHEET_NAME_MAX])
    formats = {
        "header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
        "euros": workbook.add_format({"num_format": EURO_FORMAT}),
        "decimal": workbook.add_format({"num_format": "0.00"}),
        "date": workbook.add_format({"num_format": "dd/mm/yyyy"}),
        "datetime": workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
    }
    widths = [min(max(len(str(name)), 6), 30) for name in header]
    for column, name in enumerate(header):
        sheet.write_string(0, column, str(name), formats["header"])
    last_row = 0
    for last_row, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            shown = _write_cell(sheet, last_row, column, value, formats, euros=column in money)
            if column < len(widths):
                widths[column] = max(widths[column], min(shown, MAX_WIDTH))
            else:
                widths.append(min(shown, MAX_WIDTH))
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width + 2)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, last_row, max(len(header) - 1, 0))
    workbook.close()


def _write_cell(sheet, row: int, column: int, value, formats, *, euros: bool) -> int:
    """Write one cell; returns how many characters it shows (for the column width)."""
    if value is None or value == "":
        sheet.write_blank(row, column, None)
        return 0
    if isinstance(value, bool):
        text = _("oui") if value else _("non")
        sheet.write_string(row, column, text)
        return len(text)
    if isinstance(value, int | float | Decimal):
        if euros:
            sheet.write_number(row, column, float(value), formats["euros"])
            return len(f"{value:,.2f}") + 2
        if isinstance(value, int):
            sheet.write_number(row, column, value)
            return len(str(value))
        sheet.write_number(row, column, float(value), formats["decimal"])
        return len(f"{value:.2f}")
    if isinstance(value, datetime.datetime):
        sheet.write_datetime(row, column, value.replace(tzinfo=None), formats["datetime"])
        return 16
    if isinstance(value, datetime.date):
        sheet.write_datetime(row, column, value, formats["date"])
        return 10
    text = str(value)[:MAX_TEXT]
    sheet.write_string(row, column, text)
    return max((len(line) for line in text.splitlines()), default=0)


def xlsx_response(
    filename: str, sheet_name: str, header: list, rows: Iterable[Iterable], *, money_columns: Iterable[int] = ()
) -> FileResponse:
    """A download of the workbook, spooled to disk past 8 Mo."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    write_workbook(spool, sheet_name, header, rows, money_columns=money_columns)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=CONTENT_TYPE)
