"""Pytest plugin: with CI=true, a skipped test fails the run (CI must run every test).

Loaded from tests/conftest.py with ``pytest_plugins = ["tests.ci_guard"]``. Expected failures (xfail) are not
skips (``xfail_strict`` handles them); tests deselected with ``-m`` or ``-k`` are not skips either.
"""

import os

import pytest


class SkipGuard:
    def __init__(self) -> None:
        self.skips: list[tuple[str, str]] = []

    def _record(self, report: pytest.CollectReport | pytest.TestReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            longrepr = report.longrepr
            reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
            self.skips.append((report.nodeid, reason))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._record(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._record(report)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.skips and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.skips:
            return
        terminalreporter.section("CI guard: skipped tests fail the run", sep="=", red=True, bold=True)
        terminalreporter.line(f"CI=true and {len(self.skips)} test(s) skipped; CI must run every test:", red=True)
        for nodeid, reason in self.skips:
            terminalreporter.line(f"  SKIPPED {nodeid}: {reason}", red=True)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") == "true":
        config.pluginmanager.register(SkipGuard(), "rupn-ci-guard")
