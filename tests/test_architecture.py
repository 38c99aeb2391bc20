"""The layout holds (README "How the code is laid out"): the layers of pyproject.toml, no module cycle, no
function-local import. Run here so that CI enforces them, not only `make quality`."""

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "rupn",
    "schools",
    "notifications",
    "events",
    "missions",
    "activity",
    "imp",
    "documents",
    "helpdesk",
    "dashboard",
    "recognition",
    "badges",
    "portal",
    "demo",
]
# A function-local import hides a dependency (and often dodges a cycle): none, unless listed here with a reason.
LOCAL_IMPORTS_ALLOWED: dict[str, str] = {}


def lint_imports(*args: str) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_import_linter_contracts_are_kept():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_import_linter_sees_an_upward_import(tmp_path):
    """The check can fail: with schools put above missions (missions imports schools), the contract breaks."""
    config = tmp_path / "upside-down.toml"
    config.write_text(
        "[tool.importlinter]\n"
        'root_packages = ["schools", "missions"]\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "upside down"\n'
        'type = "layers"\n'
        'layers = ["schools", "missions"]\n'
    )
    result = lint_imports("--config", str(config))
    assert result.returncode == 1
    assert "missions is not allowed to import schools" in result.stdout


def _cycles(graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_itself_back():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert "missions.services" in graph.modules  # the graph is the project's
    # A package's __init__ importing its own submodule (rupn -> rupn.celery) is not a cycle between modules.
    for package in PACKAGES:
        for child in graph.find_children(package):
            if graph.direct_import_exists(importer=package, imported=child):
                graph.remove_import(importer=package, imported=child)
    assert _cycles(graph) == []


def _local_imports_in(path: Path) -> list[int]:
    """The line of each import written inside a function of this file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        inner.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(node)
        if isinstance(inner, ast.Import | ast.ImportFrom)
    ]


def test_no_function_local_import_in_our_apps():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if str(path.relative_to(ROOT)) not in LOCAL_IMPORTS_ALLOWED
        for line in _local_imports_in(path)
    ]
    assert found == []


def test_the_scan_finds_a_function_local_import(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("import datetime\n\n\ndef f():\n    from schools.models import School\n\n    return School\n")
    assert _local_imports_in(module) == [5]
