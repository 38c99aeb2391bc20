"""A CP or CA opinion belongs to the version of the plan it was given on: once the plan changed after it, the IMP
page and the CA sheet say "avis rendu sur une version antérieure" (the dashboard: tests/dashboard)."""

import html as htmllib

from django.urls import reverse

from imp.models import BoardOpinion
from missions.services import plan_reopen
from tests.documents.test_documents import flat, get_pdf, sheet_url
from tests.imp.conftest import record_opinions

EARLIER = "Avis rendu sur une version antérieure"


def imp_page(client, cast) -> str:
    url = reverse("imp:school", args=[cast.school_a.uai, cast.school_year.name])
    return htmllib.unescape(client.get(url).content.decode())


def test_an_opinion_keeps_the_version_of_the_plan_it_was_given_on(cast, filled_plan):
    record_opinions(cast)
    versions = set(BoardOpinion.objects.filter(school=cast.school_a).values_list("plan_version", flat=True))
    assert versions == {filled_plan.version}


def test_opinions_on_the_current_plan_say_nothing_more(client_for, cast, filled_plan):
    record_opinions(cast)
    client = client_for(cast.principal_a)
    assert EARLIER not in imp_page(client, cast)
    assert EARLIER not in flat(" ".join(get_pdf(client, sheet_url(cast))[1]))


def test_once_the_plan_changed_the_imp_page_and_the_ca_sheet_say_the_opinion_is_on_an_earlier_version(
    client_for, cast, filled_plan
):
    record_opinions(cast)
    plan_reopen(plan=filled_plan, by=cast.principal_a)
    client = client_for(cast.principal_a)
    page = imp_page(client, cast)
    assert 'id="opinion-cp-earlier"' in page and 'id="opinion-ca-earlier"' in page
    sheet = flat(" ".join(get_pdf(client, sheet_url(cast))[1]))
    assert sheet.count(f"{EARLIER} : le plan a été modifié depuis.") == 2  # the CP's and the CA's
    assert "pour 18, contre 2, abstentions 1" in sheet  # the opinion itself still printed as recorded
    preview = htmllib.unescape(client_for(cast.dane).get(sheet_url(cast, "/")).content.decode())
    assert EARLIER in preview
