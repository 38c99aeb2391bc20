"""Screenshots of the main pages at desktop and phone widths, kept as test artifacts (test-results/screenshots)."""

import pytest
from playwright.sync_api import Page

from tests.browser.a11y import log_in
from tests.factories import PersonFactory
from tests.test_access_matrix import matrix_urls

# Artifact name -> (role of the cast, MATRIX URL name). Add a page here to have it shot: the dashboard, once it
# exists, is one more line.
SCREENSHOT_PAGES = {
    "allocation-table": ("principal_a", "missions:allocation"),
    "school-page": ("principal_a", "schools:detail"),
    "dane-dashboard": ("dane", "dashboard:dashboard"),
    "dane-school-table": ("dane", "dashboard:schools"),
}
WIDTHS = (1280, 375)


@pytest.mark.parametrize("name", SCREENSHOT_PAGES)
def test_screenshot_at_desktop_and_phone_widths(page: Page, base_url, transactional_db, cast, screenshots_dir, name):
    role, url_name = SCREENSHOT_PAGES[name]
    urls = matrix_urls(cast)
    alice = PersonFactory(school=cast.school_a, last_name="Dupont", first_name="Alice")
    PersonFactory(school=cast.school_a, last_name="Durand", first_name="Bruno", leaving=True)
    plan = cast.school_a.plans.get(school_year=cast.school_year)
    for row in plan.rows.filter(mission__code__in=["support_teams", "communicate"]):
        row.holders.set([alice, cast.referent_person])
    log_in(page, base_url, getattr(cast, role))
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(urls[url_name])
        assert response is not None and response.status == 200
        path = screenshots_dir / f"{name}-{width}px.png"
        page.screenshot(path=path, full_page=True)
        assert path.stat().st_size > 0
