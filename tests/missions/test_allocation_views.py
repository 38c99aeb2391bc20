"""The allocation table as each member of the cast sees it and uses it."""

import html as htmllib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from missions import selectors
from missions.models import AllocationPlan, Mission, PlanRow
from missions.services import plan_get_or_create
from tests.factories import PersonFactory
from tests.utils import extract_form_fields, flat

BLOCKING_CODES = ["support_teams", "advise_principal", "communicate", "tools.collectivity_link", "tools.ent_admin"]


def text(response) -> str:
    """The page as a reader sees it: entities decoded."""
    return htmllib.unescape(response.content.decode())


def allocation_url(school, year):
    return reverse("missions:allocation", args=[school.uai, year.name])


def row_prefix(plan, code, service_name=""):
    row = PlanRow.objects.get(plan=plan, mission__code=code, service_name=service_name)
    return f"row-{row.pk}"


def fill(data, plan, code, *people, organisation=None):
    prefix = row_prefix(plan, code)
    data[f"{prefix}-holders"] = [str(p.pk) for p in people]
    if organisation is not None:
        data[f"{prefix}-organisation"] = [organisation]


@pytest.fixture(autouse=True)
def _started_table(cast, catalogue):
    """The principal has started the year's table ("Partir d'un tableau vide"): opening the page creates nothing."""
    plan_get_or_create(school=cast.school_a, school_year=cast.school_year)


@pytest.fixture
def staff(cast):
    return [
        PersonFactory(school=cast.school_a, last_name="Dupont", first_name="Alice"),
        PersonFactory(school=cast.school_a, last_name="Durand", first_name="Bruno", leaving=True),
        cast.referent_person,
    ]


def test_principal_sees_catalogue_rows_in_seed_order(client_for, cast, staff):
    response = client_for(cast.principal_a).get(allocation_url(cast.school_a, cast.school_year))
    assert response.status_code == 200
    html = text(response)
    labels = [
        "Accompagner l'équipe pédagogique",
        "Conseiller le chef d'établissement",
        "Communiquer",
        "Se former",
        "Gérer les outils (par ordre de priorité)",
        "Lien avec collectivité",
        "Remontée des tickets de dysfonctionnement",
        "Interface pédagogique AMON (selon collectivité)",
        "Gestion des comptes utilisateurs (selon collectivité)",
        "ENT — administrateur",
        "ENT — référent usages",
        "Administrer les services pédagogiques",
        "Animation du site web",
    ]
    positions = [html.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "Un ou plusieurs enseignants, répartition temporelle" in html  # proposed organisation prefilled
    assert "Désignez au moins 1 personne pour « Accompagner" in html
    assert "Soumettre au conseil d'administration" in html


def test_principal_saves_a_draft_posting_back_the_rendered_form(client_for, cast, staff):
    client = client_for(cast.principal_a)
    url = allocation_url(cast.school_a, cast.school_year)
    data = extract_form_fields(client.get(url).content, "allocation-form")
    plan = AllocationPlan.objects.get(school=cast.school_a)
    fill(data, plan, "support_teams", staff[0], staff[2], organisation="Alice le lundi, Romain le jeudi")
    data["save"] = [""]
    response = client.post(url, flat(data))
    assert response.status_code == 302
    row = PlanRow.objects.get(plan=plan, mission__code="support_teams")
    assert {p.pk for p in row.holders.all()} == {staff[0].pk, staff[2].pk}
    assert row.organisation == "Alice le lundi, Romain le jeudi"
    page = text(client.get(url))
    assert "Le brouillon est enregistré." in page
    assert "Alice Dupont, Romain Référent" in page  # "Se former" derived from the table


def test_submission_is_refused_while_a_blocking_rule_fails_then_accepted(client_for, cast, staff):
    client = client_for(cast.principal_a)
    url = allocation_url(cast.school_a, cast.school_year)
    data = extract_form_fields(client.get(url).content, "allocation-form")
    plan = AllocationPlan.objects.get(school=cast.school_a)
    fill(data, plan, "support_teams", staff[0])
    data["submit"] = [""]
    page = text(client.post(url, flat(data), follow=True))
    plan.refresh_from_db()
    assert plan.state == AllocationPlan.State.DRAFT
    assert "ne peut pas être soumis" in page
    assert "Désignez une personne pour « Communiquer »." in page

    data = extract_form_fields(page, "allocation-form")
    for code in BLOCKING_CODES:
        fill(data, plan, code, staff[0] if code != "communicate" else staff[2])
    data["submit"] = [""]
    page = text(client.post(url, flat(data), follow=True))
    plan.refresh_from_db()
    assert plan.state == AllocationPlan.State.SUBMITTED
    assert "Le plan a été soumis au conseil d'administration." in page


def test_continuity_warnings_show_on_the_page(client_for, cast, staff):
    client = client_for(cast.principal_a)
    url = allocation_url(cast.school_a, cast.school_year)
    data = extract_form_fields(client.get(url).content, "allocation-form")
    plan = AllocationPlan.objects.get(school=cast.school_a)
    for code in BLOCKING_CODES:
        fill(data, plan, code, staff[1])  # Bruno Durand is leaving
    data["save"] = [""]
    client.post(url, flat(data))
    page = text(client.get(url))
    assert "Bruno Durand assure toutes les missions" in page
    assert "n'est assurée que par Bruno Durand, qui quitte l'établissement" in page


def _two_tabs(client, url):
    first_tab = extract_form_fields(client.get(url).content, "allocation-form")
    second_tab = extract_form_fields(client.get(url).content, "allocation-form")
    return first_tab, second_tab


def test_second_save_of_the_same_plan_merges_rows_the_other_did_not_touch(client_for, cast, staff, client):
    # Was: the second save was refused, and saving again from the refused page undid the first one's row.
    url = allocation_url(cast.school_a, cast.school_year)
    client.force_login(cast.principal_a)
    first_tab, second_tab = _two_tabs(client, url)
    plan = AllocationPlan.objects.get(school=cast.school_a)

    fill(first_tab, plan, "tools.collectivity_link", staff[0], organisation="Réunion mensuelle avec la collectivité")
    first_tab["save"] = [""]
    assert client.post(url, flat(first_tab)).status_code == 302

    fill(second_tab, plan, "support_teams", staff[2], organisation="Version de l'onglet 2")
    second_tab["save"] = [""]
    assert client.post(url, flat(second_tab)).status_code == 302

    link = PlanRow.objects.get(plan=plan, mission__code="tools.collectivity_link")
    support = PlanRow.objects.get(plan=plan, mission__code="support_teams")
    assert (link.organisation, [p.pk for p in link.holders.all()]) == (
        "Réunion mensuelle avec la collectivité",
        [staff[0].pk],
    )
    assert (support.organisation, [p.pk for p in support.holders.all()]) == ("Version de l'onglet 2", [staff[2].pk])
    plan.refresh_from_db()
    assert plan.version == 3


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_same_field_changed_by_both_asks_the_second_and_keeps_exactly_the_choice(client_for, cast, staff, choice):
    url = allocation_url(cast.school_a, cast.school_year)
    first = second = client_for(cast.principal_a)  # two tabs of one principal
    first_tab = extract_form_fields(first.get(url).content, "allocation-form")
    second_tab = extract_form_fields(second.get(url).content, "allocation-form")
    plan = AllocationPlan.objects.get(school=cast.school_a)

    fill(first_tab, plan, "support_teams", staff[0], organisation="Version de l'onglet 1")
    fill(first_tab, plan, "communicate", staff[2])
    first_tab["save"] = [""]
    assert first.post(url, flat(first_tab)).status_code == 302

    fill(second_tab, plan, "support_teams", staff[0], organisation="Version de l'onglet 2")  # same holders
    fill(second_tab, plan, "advise_principal", staff[1])
    second_tab["save"] = [""]
    response = second.post(url, flat(second_tab))
    assert response.status_code == 409
    page = text(response)
    prefix = row_prefix(plan, "support_teams")
    assert "Votre saisie\xa0: Version de l'onglet 2" in page
    assert re.search(r"Enregistré par [^:]+ à \d+\xa0h\xa0\d\d\xa0: Version de l'onglet 1", page)
    assert page.count('name="keep:') == 2  # one clash (two radios): organisation; the holders were changed alike
    support = PlanRow.objects.get(plan=plan, mission__code="support_teams")
    assert support.organisation == "Version de l'onglet 1"  # nothing saved until the second one chooses
    assert not PlanRow.objects.get(plan=plan, mission__code="advise_principal").holders.exists()

    again = extract_form_fields(page, "allocation-form")
    assert again[f"{row_prefix(plan, 'communicate')}-holders"] == [str(staff[2].pk)]  # the first one's row shows
    again[f"keep:{prefix}:organisation"] = [choice]
    again["save"] = [""]
    assert second.post(url, flat(again)).status_code == 302
    support.refresh_from_db()
    expected = "Version de l'onglet 2" if choice == "mine" else "Version de l'onglet 1"
    assert support.organisation == expected
    assert [p.pk for p in support.holders.all()] == [staff[0].pk]
    assert [p.pk for p in PlanRow.objects.get(plan=plan, mission__code="communicate").holders.all()] == [staff[2].pk]
    assert [p.pk for p in PlanRow.objects.get(plan=plan, mission__code="advise_principal").holders.all()] == [
        staff[1].pk
    ]


def test_clash_left_unanswered_is_asked_again_and_saves_nothing(client_for, cast, staff):
    url = allocation_url(cast.school_a, cast.school_year)
    first = second = client_for(cast.principal_a)
    first_tab = extract_form_fields(first.get(url).content, "allocation-form")
    second_tab = extract_form_fields(second.get(url).content, "allocation-form")
    plan = AllocationPlan.objects.get(school=cast.school_a)
    fill(first_tab, plan, "communicate", organisation="Un")
    assert first.post(url, flat(first_tab | {"save": [""]})).status_code == 302
    fill(second_tab, plan, "communicate", organisation="Deux")
    page = text(second.post(url, flat(second_tab | {"save": [""]})))
    again = extract_form_fields(page, "allocation-form")  # no radio chosen
    response = second.post(url, flat(again | {"save": [""]}))
    assert response.status_code == 409
    assert "Votre saisie\xa0: Deux" in text(response)
    assert PlanRow.objects.get(plan=plan, mission__code="communicate").organisation == "Un"


@pytest.mark.parametrize("base", ["", "forged:token", None])
def test_second_save_without_a_valid_base_is_refused_as_before_never_a_500(client_for, cast, staff, client, base):
    url = allocation_url(cast.school_a, cast.school_year)
    client.force_login(cast.principal_a)
    first_tab, second_tab = _two_tabs(client, url)
    plan = AllocationPlan.objects.get(school=cast.school_a)
    fill(first_tab, plan, "support_teams", staff[0], organisation="Version de l'onglet 1")
    assert client.post(url, flat(first_tab | {"save": [""]})).status_code == 302

    fill(second_tab, plan, "support_teams", staff[2], organisation="Version de l'onglet 2")
    if base is None:
        del second_tab["base"]
    else:
        second_tab["base"] = [base]
    response = client.post(url, flat(second_tab | {"save": [""]}))
    assert response.status_code == 409
    page = text(response)
    assert "Rien n'a été enregistré" in page
    assert "Version de l'onglet 2" in page  # what the second user typed is still in the form
    row = PlanRow.objects.get(plan=plan, mission__code="support_teams")
    assert row.organisation == "Version de l'onglet 1"


def test_a_person_of_another_school_is_refused_and_nothing_is_saved(client_for, cast, staff):
    intruder = PersonFactory(school=cast.school_b)
    client = client_for(cast.principal_a)
    url = allocation_url(cast.school_a, cast.school_year)
    data = extract_form_fields(client.get(url).content, "allocation-form")
    plan = AllocationPlan.objects.get(school=cast.school_a)
    fill(data, plan, "support_teams", staff[0], organisation="changé")
    fill(data, plan, "communicate", intruder)
    data["save"] = [""]
    response = client.post(url, flat(data))
    assert response.status_code == 400
    assert "Rien n'a été enregistré" in text(response)
    assert "Sélectionnez un choix valide" in text(response)
    plan.refresh_from_db()
    assert plan.version == 1
    assert not PlanRow.objects.get(plan=plan, mission__code="support_teams").holders.exists()


def test_too_long_organisation_is_answered_beside_the_field(client_for, cast, staff):
    client = client_for(cast.principal_a)
    url = allocation_url(cast.school_a, cast.school_year)
    data = extract_form_fields(client.get(url).content, "allocation-form")
    plan = AllocationPlan.objects.get(school=cast.school_a)
    prefix = row_prefix(plan, "communicate")
    data[f"{prefix}-organisation"] = ["x" * 2001]
    data["save"] = [""]
    response = client.post(url, flat(data))
    assert response.status_code == 400
    html = text(response)
    assert re.search(rf'id="id_{prefix}-organisation-desc-error"', html)
    assert "au plus 2000 caractères" in html


def test_live_check_answers_the_rules_part_of_the_page_as_html_for_what_is_typed(client_for, cast, staff):
    """The messages are rendered on the server only (issue 14): the page swaps in the pieces of this answer."""
    client = client_for(cast.principal_a)
    url = allocation_url(cast.school_a, cast.school_year)
    data = extract_form_fields(client.get(url).content, "allocation-form")
    plan = AllocationPlan.objects.get(school=cast.school_a)
    fill(data, plan, "communicate", staff[0], staff[2])
    response = client.post(
        reverse("missions:allocation_check", args=[cast.school_a.uai, cast.school_year.name]), flat(data)
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    key = row_prefix(plan, "communicate")
    answer = response.content.decode()
    row = re.search(
        rf'<div data-target="{key}-messages" data-row="{key}" data-status="(\w+)">(.*?)</div>', answer, re.S
    )
    assert row.group(1) == "blocking"
    assert htmllib.unescape(re.sub("<[^>]+>", "", row.group(2))) == (
        "Bloquant : « Communiquer » demande une seule personne : 2 sont désignées."
    )
    assert re.search(r'<div data-target="training-list">\s*Alice Dupont, Romain Référent\s*</div>', answer)
    assert re.search(r'data-target="blocking-summary">\s*5 règles bloquantes empêchent la soumission.\s*<', answer)
    # The same markup as the page's own region, once saved.
    client.post(url, flat(data) | {"save": ""})
    page = client.get(url).content.decode()
    assert (
        f'<div class="rupn-rule-messages" id="{key}-messages" data-row="{key}" aria-live="polite">{row.group(2)}</div>'
        in page
    )
    plan.refresh_from_db()
    assert plan.version == 2  # the check itself saved nothing: only the save did


def test_referent_reads_the_plan_but_cannot_edit(client_for, cast, staff):
    plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    client = client_for(cast.referent_a)
    url = allocation_url(cast.school_a, cast.school_year)
    response = client.get(url)
    assert response.status_code == 200
    assert "Consultation seule" in text(response)
    assert 'id="allocation-form"' not in text(response)
    assert client.post(url, {"version": "1", "save": ""}).status_code == 403


def test_year_that_is_not_a_school_year_is_a_404(client_for, cast):
    client = client_for(cast.principal_a)
    assert client.get(f"/etablissements/{cast.school_a.uai}/2026-2028/repartition/").status_code == 404
    assert client.get(f"/etablissements/{cast.school_a.uai}/1990-1991/repartition/").status_code == 404


@pytest.mark.parametrize("staff_size", [20, 200])
def test_allocation_page_query_count_does_not_grow_with_staff(client_for, cast, staff_size, django_assert_num_queries):
    people = PersonFactory.create_batch(staff_size, school=cast.school_a)
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    for row in plan.rows.all():
        row.holders.set(people[:3])
    client = client_for(cast.principal_a)
    url = allocation_url(cast.school_a, cast.school_year)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == EXPECTED_ALLOCATION_QUERIES, [q["sql"] for q in queries]


# 10 for the page (the catalogue is kept by the process: missions.selectors.catalogue), 1 for the header (roles and
# schools), 1 for the DANE events attended ("Se former").
EXPECTED_ALLOCATION_QUERIES = 12


def test_people_are_picked_with_checkboxes_showing_status_leaving_and_cpge_in_french_order(client_for, cast, staff):
    """Issue 15: no multiple select (no Ctrl+click); each person says status, leaving, CPGE; "Émilie" with the E."""
    PersonFactory(school=cast.school_a, last_name="Zola", first_name="Émile", full_service_cpge=True)
    PersonFactory(school=cast.school_a, last_name="Éluard", first_name="Paul")
    client = client_for(cast.principal_a)
    page = client.get(allocation_url(cast.school_a, cast.school_year)).content.decode()
    plan = AllocationPlan.objects.get(school=cast.school_a)
    key = row_prefix(plan, "communicate")
    assert "<select" not in re.search(rf'<fieldset[^>]* id="{key}-holders".*?</fieldset>', page, re.S).group(0)
    picker = re.search(rf'<ul class="rupn-picker__list" id="id_{key}-holders">(.*?)</ul>', page).group(1)
    names = re.findall(r'data-name="([^"]+)"', picker)
    assert names == ["DUPONT Alice", "DURAND Bruno", "ÉLUARD Paul", "RÉFÉRENT Romain", "SECONDE Rachel", "ZOLA Émile"]
    assert picker.count('type="checkbox"') == 6
    labels = [
        htmllib.unescape(re.sub("<[^>]+>", " ", label)).split()
        for label in re.findall(r"<label[^>]*>(.*?)</label>", picker)
    ]
    assert " ".join(labels[1]) == "DURAND Bruno Enseignant quitte l'établissement en fin d'année"
    assert " ".join(labels[5]) == "ZOLA Émile Enseignant service en CPGE"


def test_labels_say_once_what_is_required_without_optional_marks(client_for, cast, staff):
    client = client_for(cast.principal_a)
    page = text(client.get(allocation_url(cast.school_a, cast.school_year)))
    form = page[page.index('id="allocation-form"') :]
    assert "Optionnel" not in form and "facultatif" not in form
    plan = AllocationPlan.objects.get(school=cast.school_a)
    communicate, website = row_prefix(plan, "communicate"), row_prefix(plan, "tools.website")
    hint = re.compile(r'id="(row-\d+)-holders-hint">([^<]*)<')
    hints = dict(hint.findall(form))
    assert hints[communicate] == "Une personne. Obligatoire pour soumettre le plan au conseil d'administration."
    assert "Obligatoire" not in hints[website]


def test_long_text_fields_show_their_limit_before_it_is_hit(client_for, cast, staff):
    client = client_for(cast.principal_a)
    page = text(client.get(allocation_url(cast.school_a, cast.school_year)))
    plan = AllocationPlan.objects.get(school=cast.school_a)
    key = row_prefix(plan, "communicate")
    textarea = re.search(rf'<textarea[^>]* id="id_{key}-organisation"[^>]*>', page).group(0)
    assert f'data-counter="id_{key}-organisation-counter"' in textarea and 'maxlength="2000"' in textarea
    assert f"id_{key}-organisation-counter" in re.search(r'aria-describedby="([^"]+)"', textarea).group(1)
    assert re.search(rf'id="id_{key}-organisation-counter" data-max="2000">2\xa0000 caractères au plus.<', page)


def test_a_change_of_the_catalogue_shows_at_once_although_the_process_keeps_it(client_for, cast, staff):
    client = client_for(cast.principal_a)
    url = allocation_url(cast.school_a, cast.school_year)
    client.get(url)
    mission = Mission.objects.get(code="communicate")
    mission.label = "Communiquer avec les familles"
    mission.save()
    assert "Communiquer avec les familles" in text(client.get(url))


def test_a_change_made_by_another_process_shows_within_the_catalogue_delay(client_for, cast, staff, monkeypatch):
    """Another process (another gunicorn worker) changes the catalogue: no signal here, so the kept catalogue is
    shown until it is CATALOGUE_SECONDS old, then read again."""
    client = client_for(cast.principal_a)
    url = allocation_url(cast.school_a, cast.school_year)
    now = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: now[0])
    client.get(url)
    Mission.objects.filter(code="communicate").update(label="Communiquer avec les familles")  # no signal
    assert "Communiquer avec les familles" not in text(client.get(url))
    now[0] += selectors.CATALOGUE_SECONDS + 1
    assert "Communiquer avec les familles" in text(client.get(url))


def _submit(client, url, plan, staff):
    data = extract_form_fields(client.get(url).content, "allocation-form")
    for code in BLOCKING_CODES:
        fill(data, plan, code, staff[0] if code != "communicate" else staff[2])
    data["submit"] = [""]
    client.post(url, flat(data))
    plan.refresh_from_db()
    assert plan.state == AllocationPlan.State.SUBMITTED
    return data


def test_a_submitted_plan_is_changed_only_through_modifier_le_plan_soumis(client_for, cast, staff):
    client = client_for(cast.principal_a)
    url = allocation_url(cast.school_a, cast.school_year)
    plan = AllocationPlan.objects.get(school=cast.school_a)
    stale = extract_form_fields(client.get(url).content, "allocation-form")  # a second tab, opened on the draft
    _submit(client, url, plan, staff)

    page = client.get(url)
    assert 'id="allocation-form"' not in text(page)  # read as the CA sees it
    assert "Modifier le plan soumis" in text(page)

    fill(stale, plan, "tools.tickets", staff[0])
    stale["save"] = [""]  # "Enregistrer le brouillon" from the stale tab
    refused = client.post(url, flat(stale))
    assert refused.status_code == 400
    assert "rien n'a été enregistré" in text(refused)
    plan.refresh_from_db()
    assert plan.state == AllocationPlan.State.SUBMITTED
    assert not PlanRow.objects.get(plan=plan, mission__code="tools.tickets").holders.exists()

    reopen_url = reverse("missions:plan_reopen", args=[cast.school_a.uai, cast.school_year.name])
    confirmation = client.get(reopen_url)
    assert "le conseil d'administration devra le revoir" in text(confirmation)
    assert AllocationPlan.objects.get(pk=plan.pk).state == AllocationPlan.State.SUBMITTED  # looking changes nothing
    page = text(client.post(reopen_url, flat(extract_form_fields(confirmation.content, "reopen-form")), follow=True))
    assert "Le plan est de nouveau un brouillon" in page
    assert 'id="allocation-form"' in page
    plan.refresh_from_db()
    assert plan.state == AllocationPlan.State.DRAFT
    record = AllocationPlan.history.filter(id=plan.pk).latest("history_id")
    assert (record.state, record.history_user) == ("draft", cast.principal_a)


def test_the_referent_cannot_reopen_a_plan(client_for, cast, staff):
    reopen_url = reverse("missions:plan_reopen", args=[cast.school_a.uai, cast.school_year.name])
    assert client_for(cast.referent_a).post(reopen_url).status_code == 403
