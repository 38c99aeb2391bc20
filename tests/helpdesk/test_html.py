"""The team's pages pass the Nu HTML Checker (until the access matrix lists them, which feeds the suite's check)."""

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from tests.factories import HelpRequestFactory, TeamSessionFactory, tiny_png
from tests.validators import errors_and_warnings, nu_check

OUT = settings.BASE_DIR / "test-results" / "html-helpdesk"


@pytest.mark.django_db
def test_every_team_page_passes_the_nu_html_checker(client_for, submitted):
    request = HelpRequestFactory(
        school=submitted.school_a,
        author=submitted.teacher_a_person,
        state="passed_on",
        ticket_number="CD21-1",
        ticket_url="https://support.example/1",
    )
    request.screenshot.save("c.png", ContentFile(tiny_png()))
    session = TeamSessionFactory(school=submitted.school_a, referent=submitted.referent_person)
    base = f"/etablissements/{submitted.school_a.uai}"
    pages = {
        "teacher": [
            "/numerique/",
            "/demandes/",
            "/demandes/nouvelle/",
            f"/demandes/{request.pk}/",
            "/sessions/",
            f"/sessions/{session.pk}/",
        ],
        "referent_a": [f"/demandes/{request.pk}/", "/sessions/", f"/sessions/{session.pk}/", "/numerique/"],
        "principal_a": ["/demandes/chiffres/", "/personnels/inviter/", "/demandes/"],
    }
    OUT.mkdir(parents=True, exist_ok=True)
    files = []
    for who, paths in pages.items():
        client = client_for(submitted.teacher_a if who == "teacher" else getattr(submitted, who))
        for path in paths:
            response = client.get(base + path)
            assert response.status_code == 200, (who, path)
            file = OUT / f"{who}{path.replace('/', '_')}.html"
            file.write_bytes(response.content)
            files.append(file)
    response = client_for(submitted.collectivity_a).get("/collectivite/demandes-transmises/")
    (OUT / "collectivity.html").write_bytes(response.content)
    files.append(OUT / "collectivity.html")
    errors, _warnings = errors_and_warnings(nu_check(files))
    assert not errors, "\n".join(errors)
