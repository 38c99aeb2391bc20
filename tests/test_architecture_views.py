"""Thin views: every function of a views module is short, and no view opens a transaction (a service does)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_VIEW_LINES = 40
VIEW_MODULES = sorted(
    path
    for path in ROOT.glob("*/**/*views*.py")
    if not any(part in {".venv", "node_modules", "tests", "migrations"} for part in path.relative_to(ROOT).parts)
)


def _functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_the_views_modules_are_found():
    names = {str(path.relative_to(ROOT)) for path in VIEW_MODULES}
    assert {
        "imp/views.py",
        "schools/views.py",
        "badges/views.py",
        "schools/sts_views.py",
        "badges/public_views.py",
    } <= names


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_view_function_is_longer_than_40_lines(path):
    too_long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in _functions(path)
        if node.end_lineno - node.lineno + 1 > MAX_VIEW_LINES
    ]
    assert not too_long, f"{path.relative_to(ROOT)}: move rules to services and reads to selectors: {too_long}"


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_view_opens_a_transaction(path):
    text = path.read_text(encoding="utf-8")
    assert "transaction.atomic" not in text, f"{path.relative_to(ROOT)}: a service opens the transaction"
