"""Every HTML page and e-mail passes the Nu HTML Checker (vnu.jar): zero errors, warnings listed.

Each GET page of the access matrix is rendered for its first reader, the 403, 404 and 500 pages too, and each e-mail of tests/test_emails.py
(every reminder kind and notification) gives its HTML part; all are written to test-results/html/ and checked by
one run of the checker (one JVM start).
"""

import re
import shutil
from collections import Counter

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from tests.factories import SchoolFactory
from tests.test_emails import every_email, html_part
from tests.test_pages import GET_PAGES, get_as
from tests.validators import errors_and_warnings, nu_check

pytestmark = pytest.mark.django_db

OUT = settings.BASE_DIR / "test-results" / "html"


def test_every_page_and_email_passes_the_nu_html_checker(client_for, cast):
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    files = []
    for name in GET_PAGES:
        response = get_as(client_for, cast, name)
        assert response.status_code == 200, name
        path = OUT / f"page-{re.sub(r'\W', '_', name)}.html"
        path.write_bytes(response.content)
        files.append(path)
    errors_pages = {
        "404": client_for(cast.principal_a).get("/cette-page-n-existe-pas/").content,
        "403": client_for(cast.referent_a).get(f"/etablissements/{cast.school_a.uai}/personnels/").content,
        "500": render_to_string("500.html").encode(),
        "503": render_to_string("503.html").encode(),
    }
    for n in range(30):  # a list of several pages: django-dsfr's pagination is checked too
        SchoolFactory(departement=cast.school_a.departement, name=f"Collège Pagination {n:02d}")
    errors_pages["paginated"] = client_for(cast.dane).get("/", {"q": "Pagination", "page": 2}).content
    assert b"fr-pagination" in errors_pages["paginated"]
    for status, content in errors_pages.items():
        path = OUT / f"error-{status}.html"
        path.write_bytes(content)
        files.append(path)
    for kind, sent in every_email(cast).items():
        for number, message in enumerate(sent):
            path = OUT / f"email-{kind}-{number}.html"
            path.write_text(html_part(message), encoding="utf-8")
            files.append(path)

    errors, warnings = errors_and_warnings(nu_check(files))

    print(f"Nu HTML Checker: {len(files)} files, {len(errors)} errors, {len(warnings)} warnings")
    for text, count in Counter(w.split(": ", 1)[1] for w in warnings).most_common():  # listed, not failed
        print(f"warning ({count}×): {text}")
    assert not errors, "\n".join(errors)
