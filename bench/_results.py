"""bench/RESULTS.md: each benchmark replaces its own section, between its start and end markers.

Not a benchmark itself (the Makefile runs bench/[!_]*.py): the benchmarks import it.
"""

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = (
    "# Benchmarks\n\nWritten by `make bench` (and `make load`): each script replaces its own section, "
    "between its markers.\n"
)


def replace_section(start: str, end: str, section: str, path: Path = RESULTS) -> None:
    """Put `section` (which begins with `start` and ends with `end`) in place of the text between those markers,
    or at the end of the file when it has no such section yet."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    path.write_text(text, encoding="utf-8")
