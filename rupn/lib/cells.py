"""Spreadsheet cells: text that a spreadsheet never runs as a formula (every CSV export uses it)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A text cell that a spreadsheet never runs as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
