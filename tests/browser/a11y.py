"""Accessibility checks for the browser tests: one line per page.

``assert_accessible(page, "/some/url/")`` opens the page and runs axe-core (bundled with
axe-playwright-python, no network) on it: any violation of impact "serious" or "critical" fails, and so
does a "moderate" one unless ALLOWED_MODERATE lists it with its reason (the README's "Accessibilité"
section repeats those reasons). It also checks what every page of a French public service must have: a
title ending in "– RUPN", one h1, the skip links, the language, and the footer's mandatory links.
"""

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page

FAILING_IMPACTS = frozenset({"serious", "critical"})

# Moderate violations kept on purpose: rule id -> reason. Keep the README's "Accessibilité" section in step.
ALLOWED_MODERATE: dict[str, str] = {}

TITLE_SUFFIX = " – RUPN"
FOOTER_LINKS = ("Accessibilité : non conforme", "Mentions légales", "Données personnelles", "Plan du site")

_axe = Axe()


def axe_violations(page: Page) -> list[dict]:
    """The violations axe-core finds on the page as it is now (every rule but the experimental ones)."""
    return _axe.run(page).response["violations"]


def blocking_violations(violations: list[dict]) -> list[dict]:
    """The violations that fail a page: serious and critical ones, and moderate ones not allowed."""
    return [
        v
        for v in violations
        if v["impact"] in FAILING_IMPACTS or (v["impact"] == "moderate" and v["id"] not in ALLOWED_MODERATE)
    ]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            for check in node.get("any", []) + node.get("all", []) + node.get("none", []):
                lines.append(f"        {check['message']}")
    return "\n".join(lines)


def assert_accessible(page: Page, url: str | None = None, *, expected_status: int = 200) -> None:
    """Open url (or keep the current page), run axe and the page-structure checks; fail with a readable report."""
    if url is not None:
        response = page.goto(url)
        assert response is not None and response.status == expected_status, (
            f"GET {url}: {response.status if response else 'no response'}"
        )
        content_type = response.headers.get("content-type", "")
        assert content_type.startswith("text/html"), f"{url} is {content_type}: exempt it with a reason"
    where = url or page.url
    violations = blocking_violations(axe_violations(page))
    assert not violations, f"Accessibility violations on {where}:\n{describe(violations)}"
    assert_page_structure(page, where)


def assert_page_structure(page: Page, where: str) -> None:
    """A unique-looking title, one h1, skip links, French, and the mandatory footer links."""
    title = page.title()
    assert title.endswith(TITLE_SUFFIX) and len(title) > len(TITLE_SUFFIX), f"{where}: title {title!r}"
    assert page.locator("html").get_attribute("lang") == "fr", where
    assert page.locator("h1").count() == 1, f"{where}: {page.locator('h1').count()} h1"
    skip_links = page.locator(".fr-skiplinks a")
    assert skip_links.first.get_attribute("href") == "#content", where
    assert page.locator("main#content").count() == 1, where
    footer = page.locator("footer#footer")
    for label in FOOTER_LINKS:
        assert footer.get_by_role("link", name=label, exact=True).count() == 1, f"{where}: no footer link {label!r}"


def assert_fits_320px(page: Page, where: str = "") -> None:
    """At 320 px wide nothing scrolls sideways but the data tables, which scroll inside their wrapper."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        overflow = page.evaluate(
            """() => {
                const root = document.scrollingElement;
                const wide = [...document.querySelectorAll('body *')].filter(el => {
                    if (el.closest('.fr-table') || !el.checkVisibility({visibilityProperty: true})) { return false; }
                    return el.getBoundingClientRect().right > root.clientWidth + 1
                        && ![...el.children].some(child => child.getBoundingClientRect().right > root.clientWidth + 1);
                }).slice(0, 5).map(el => el.outerHTML.slice(0, 160));
                return {scrollWidth: root.scrollWidth, widest: wide};
            }"""
        )
        assert overflow["scrollWidth"] <= 320, f"{where or page.url} scrolls sideways at 320 px: {overflow}"
    finally:
        if size:
            page.set_viewport_size(size)


def assert_prints_cleanly(page: Page, where: str = "") -> None:
    """In print, no header navigation, breadcrumb, footer, skip links, nor buttons are shown (a printed document's
    own header and footer, inside .rupn-doc, are part of the paper)."""
    page.emulate_media(media="print")
    try:
        visible = page.evaluate(
            """() => [...document.querySelectorAll(
                    'header, nav, footer, .fr-skiplinks, button, .fr-btn, input[type=submit], input[type=file]'
                )].filter(el => el.checkVisibility() && !(el.matches('header, footer') && el.closest('.rupn-doc')))
                .map(el => el.outerHTML.slice(0, 120))"""
        )
        assert not visible, f"{where or page.url} prints navigation or buttons: {visible}"
    finally:
        page.emulate_media(media="screen")


def log_in(page: Page, base_url: str, user) -> None:
    """Sign the browser in as user (a session made by the test client), or out when user is None."""
    page.context.clear_cookies()
    if user is None:
        return
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}])
