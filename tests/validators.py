"""The Nu HTML Checker (vnu.jar, pinned in tools/package-lock.json, installed by .ci/test-services with npm ci).

One JVM start for every file given: the checker reads them all and answers one JSON report.
"""

import json
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

VNU_JAR = Path(settings.BASE_DIR) / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def nu_check(paths: list[Path]) -> list[dict]:
    """Every message of the Nu checker on these HTML files (type "error", "info" with subType "warning"…)."""
    java = shutil.which("java")
    assert java, "no Java runtime: .ci/test-services installs default-jre-headless"
    assert VNU_JAR.is_file(), f"no {VNU_JAR}: run .ci/test-services (or: cd tools && npm ci --ignore-scripts)"
    result = subprocess.run(
        [java, "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    return json.loads(result.stderr)["messages"]


def describe(message: dict) -> str:
    where = Path(message.get("url", "")).name
    line = message.get("lastLine", "?")
    extract = " ".join(message.get("extract", "").split())
    return f"{where}:{line}: {message.get('message', '')} [{extract}]"


def errors_and_warnings(messages: list[dict]) -> tuple[list[str], list[str]]:
    errors = [describe(m) for m in messages if m.get("type") in ("error", "non-document-error")]
    warnings = [describe(m) for m in messages if m.get("type") == "info" and m.get("subType") == "warning"]
    return errors, warnings
