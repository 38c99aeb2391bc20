"""Browser tests: pytest-playwright 0.10 driving Debian's Chromium against pytest-django's live_server.

Every test in this folder is marked ``browser``. Pages come from ``live_server``, which needs database
tests with ``transactional_db`` (the server thread must see committed data)::

    def test_home(page, transactional_db):
        page.goto("/")  # relative to base_url, which is live_server.url

Playwright cannot download its own browsers here: Debian's chromium is used (CHROMIUM_PATH overrides it).
"""

import os
from pathlib import Path

import pytest

# The sync Playwright API runs an event loop in the test thread; Django refuses ORM calls from a thread with a
# running loop unless told otherwise. This conftest is only imported by pytest, never by the app.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No calls home: the machine's network is closed and refused connections slow Chromium down.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS_DIR = Path("test-results/screenshots")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch options (--headed, --slowmo...) plus Debian's Chromium and its flags."""
    if not os.access(CHROMIUM_PATH, os.X_OK):
        pytest.fail(f"No Chromium at {CHROMIUM_PATH}: apt-get install chromium, or set CHROMIUM_PATH")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM_PATH,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config, live_server) -> str:
    """--base-url if given, else pytest-django's live server: ``page.goto("/some/path/")`` then works.

    Also replaces pytest-playwright's own fallback fixture, a method that pytest 9 deprecates
    (PytestRemovedIn10Warning, an error under filterwarnings=error).
    """
    return pytestconfig.getoption("--base-url") or pytestconfig.getini("base_url") or live_server.url


@pytest.fixture
def screenshots_dir(delete_output_dir: None) -> Path:
    """test-results/screenshots, created. pytest-playwright empties test-results/ when the session starts."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS_DIR
