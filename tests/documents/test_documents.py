"""The CA sheet and the lettres de mission: PDFs read back with pypdf, previews, links and access."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents.content import DANE_SUPPORT_OFFER, ca_sheet_data, load_plan
from missions.models import Mission
from missions.services import plan_get_or_create
from tests.documents.utils import fill_plan, pdf_text
from tests.factories import EquipmentRequestFactory, PersonFactory, SchoolMeansFactory

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def french_date(day: datetime.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces made single spaces (table cells wrap their lines)."""
    return " ".join(text.split())


def get_pdf(client, url: str) -> tuple[object, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/pdf"
    return pdf_text(response.content)


def sheet_url(cast, suffix=".pdf"):
    return f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/fiche-ca{suffix}"


def letter_url(cast, person, suffix=".pdf"):
    return f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/lettres/{person.pk}{suffix}"


def assert_numbered(pages: list[str]):
    for number, text in enumerate(pages, start=1):
        assert f"page {number} / {len(pages)}" in text


def test_ca_sheet_pdf_holds_the_seed_table_filled_in(client_for, cast, filled_plan, people):
    reader, pages = get_pdf(client_for(cast.principal_a), sheet_url(cast))
    text = flat(" ".join(pages))

    assert 1 <= len(reader.pages) <= 3
    assert_numbered(pages)
    assert (
        reader.metadata.title
        == f"Fiche pour le conseil d'administration — Collège Les Lentillères — {cast.school_year.name}"
    )
    for expected in ["Collège Les Lentillères", cast.school_a.uai, "Dijon", f"année scolaire {cast.school_year.name}"]:
        assert expected in text
    for mission in Mission.objects.exclude(kind=Mission.Kind.PER_SERVICE).order_by("position"):
        assert flat(mission.label) in text, mission.label
    assert "Administrer les services pédagogiques (BRNE, Pearltrees, …) — BRNE" in text
    assert "— Pearltrees" in text
    for person in people.values():
        assert person.full_name in text
    assert "Lundi et jeudi : Hélène ; projets « École numérique » : François" in text
    assert "Par jour de la semaine : lundi, jeudi" in text
    assert f"soumis au conseil d'administration le {french_date(timezone.localdate())}" in text
    assert "Le chef d'établissement Anne Principale" in text


def test_ca_sheet_lists_in_catalogue_order_with_the_tools_group(client_for, cast, filled_plan):
    _reader, pages = get_pdf(client_for(cast.principal_a), sheet_url(cast))
    text = flat(" ".join(pages))
    labels = [flat(m.label) for m in Mission.objects.exclude(kind=Mission.Kind.PER_SERVICE).order_by("position")]

    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions)
    assert text.index("Gérer les outils (par ordre de priorité)") < text.index("Lien avec collectivité")


def test_ca_sheet_names_the_continuity_warnings_and_authorized_actions(client_for, cast, filled_plan):
    _reader, pages = get_pdf(client_for(cast.principal_a), sheet_url(cast))
    text = flat(" ".join(pages))

    assert "Continuité de la mission" in text
    assert "« Animation du site web » n'est assurée que par Zoé Cœurderoy, qui quitte l'établissement" in text
    assert "Interface pédagogique AMON" in text
    assert "Convention n° 2026-14 « Numérique éducatif », du 30 juin 2026" in text
    assert "Conseil départemental de la Côte-d'Or" in text
    # Not recorded yet: lines to fill in by hand.
    assert "Avis du conseil pédagogique rendu le" in text


def test_ca_sheet_shows_the_means_given_to_referents_and_the_equipment_requests(client_for, cast, filled_plan):
    SchoolMeansFactory(
        school=cast.school_a,
        school_year=cast.school_year,
        phone=True,
        ticket_server=True,
        ticket_server_url="https://glpi.cd21.example/",
    )
    EquipmentRequestFactory(
        school=cast.school_a, school_year=cast.school_year, item="Tablettes", quantity=15, priority=2, sent=True
    )
    EquipmentRequestFactory(
        school=cast.school_a,
        school_year=cast.school_year,
        item="Vidéoprojecteur",
        quantity=1,
        priority=1,
        cost_estimate="1250.00",
    )
    EquipmentRequestFactory(school=cast.school_b, school_year=cast.school_year, item="Imprimante 3D", priority=1)
    _reader, pages = get_pdf(client_for(cast.principal_a), sheet_url(cast))
    text = flat(" ".join(pages))

    assert "Moyens mis à disposition des référents" in text
    assert "Téléphone" in text and "Serveur de tickets" in text and "Bureau" not in text
    assert "https://glpi.cd21.example/" in text
    assert text.index("Vidéoprojecteur × 1") < text.index("Tablettes × 15")  # priority order
    assert "1 250,00 €" in text
    assert "Envoyée à la collectivité" in text
    assert "Imprimante 3D" not in text  # school B's request


def test_ca_sheet_says_when_means_and_requests_are_not_recorded(client_for, cast, filled_plan):
    _reader, pages = get_pdf(client_for(cast.principal_a), sheet_url(cast))
    text = flat(" ".join(pages))

    assert "Les moyens donnés aux référents n'ont pas encore été renseignés pour cette année." in text
    assert "Aucune demande d'équipement n'est enregistrée pour cette année." in text


def test_ca_sheet_of_a_draft_says_so_and_what_is_left_to_designate(client_for, cast):
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    _reader, pages = get_pdf(client_for(cast.principal_a), sheet_url(cast))
    text = flat(" ".join(pages))

    assert f"brouillon enregistré le {french_date(timezone.localdate(plan.updated_at))}" in text
    assert "à désigner" in text
    assert "Aucune action technique n'est enregistrée comme autorisée" in text


def test_a_long_table_repeats_its_header_and_never_cuts_a_row(client_for, cast, people):
    services = [(f"Service numérique n° {i:02d} « très utile »", "helene" if i % 2 else "francois") for i in range(45)]
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    fill_plan(plan, people, by=cast.principal_a, services=services)

    _reader, pages = get_pdf(client_for(cast.principal_a), sheet_url(cast))

    assert len(pages) >= 3
    assert_numbered(pages)
    flat_pages = [flat(page) for page in pages]
    for name, key in services:
        (page,) = [p for p in flat_pages if name in p]  # on exactly one page...
        assert f"{name} 1 référent par service — {people[key].full_name}" in page  # ...with its whole row
    for page in flat_pages:
        if "Service numérique n°" in page:
            assert "Mission Organisation proposée Organisation retenue Nom du (des) responsable(s)" in page


def test_mission_letter_pdf_for_one_referent(client_for, cast, filled_plan, people):
    reader, pages = get_pdf(client_for(cast.principal_a), letter_url(cast, people["helene"]))
    text = flat(" ".join(pages))

    assert_numbered(pages)
    assert reader.metadata.title == f"Lettre de mission — Hélène Bérégovoy — {cast.school_year.name}"
    assert "Lettre de mission" in text
    for expected in [
        "Hélène Bérégovoy",
        "Hélène Bérégovoy — enseignant",
        "Collège Les Lentillères",
        cast.school_year.name,
        "Accompagner l'équipe pédagogique",
        "Lundi et jeudi : Hélène ; projets « École numérique » : François",
        "François Lefèvre",  # shares "Accompagner l'équipe pédagogique"
        "Conseiller le chef d'établissement",
        "Se former",
        "ENT — administrateur",
        "— Pearltrees",
        "Le chef d'établissement Anne Principale",
        "Le référent, lu et accepté Hélène Bérégovoy",
    ]:
        assert expected in text, expected
    for offer in DANE_SUPPORT_OFFER:
        assert flat(str(offer)) in text
    for not_held in ["Communiquer", "Lien avec collectivité", "Animation du site web"]:
        assert not_held not in text.split("Annexe : l'accompagnement proposé par la DANE")[0]


def test_referent_downloads_their_own_letter_but_not_another(client_for, cast, filled_plan, people):
    client = client_for(cast.referent_a)
    _reader, pages = get_pdf(client, letter_url(cast, cast.referent_person))
    assert "Romain Référent" in flat(" ".join(pages))
    assert client.get(letter_url(cast, people["helene"])).status_code == 403
    assert client.get(letter_url(cast, people["helene"], "/")).status_code == 403


def test_letter_of_someone_not_named_or_from_another_school_is_404(client_for, cast, filled_plan):
    client = client_for(cast.principal_a)
    idle = PersonFactory(school=cast.school_a)
    stranger = PersonFactory(school=cast.school_b)
    assert client.get(letter_url(cast, idle)).status_code == 404
    assert client.get(letter_url(cast, stranger)).status_code == 404


def test_principal_of_other_school_gets_404_for_the_documents(client_for, cast, filled_plan, people):
    client = client_for(cast.principal_b)
    assert client.get(sheet_url(cast)).status_code == 404
    assert client.get(sheet_url(cast, "/")).status_code == 404
    assert client.get(letter_url(cast, people["helene"])).status_code == 404


def test_dane_and_collectivity_read_the_ca_sheet_not_the_letters(client_for, cast, filled_plan, people):
    for user in (cast.dane, cast.rectorat, cast.collectivity_a):
        client = client_for(user)
        assert client.get(sheet_url(cast)).status_code == 200
        assert client.get(letter_url(cast, people["helene"])).status_code == 403


def test_no_plan_yet_means_no_document(client_for, cast):
    client = client_for(cast.principal_a)
    assert client.get(sheet_url(cast)).status_code == 404
    assert client.get(sheet_url(cast, "/")).status_code == 404


def test_previews_show_the_same_document_beside_the_download(client_for, cast, filled_plan, people):
    client = client_for(cast.principal_a)
    sheet = client.get(sheet_url(cast, "/"))
    letter = client.get(letter_url(cast, people["helene"], "/"))

    assert sheet.status_code == letter.status_code == 200
    sheet_html, letter_html = sheet.content.decode(), letter.content.decode()
    assert f'href="{sheet_url(cast)}"' in sheet_html
    assert "Zoé Cœurderoy" in sheet_html and "Gérer les outils (par ordre de priorité)" in sheet_html
    assert f'href="{letter_url(cast, people["helene"])}"' in letter_html
    assert "Hélène Bérégovoy" in letter_html and "Tw&#x27;haïku" in letter_html


def test_allocation_page_links_the_documents(client_for, cast, filled_plan, people):
    allocation = f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/repartition/"
    principal_page = client_for(cast.principal_a).get(allocation).content.decode()
    referent_page = client_for(cast.referent_a).get(allocation).content.decode()
    dane_page = client_for(cast.dane).get(allocation).content.decode()

    for page in (principal_page, referent_page, dane_page):
        assert sheet_url(cast) in page and sheet_url(cast, "/") in page
    for person in people.values():
        assert letter_url(cast, person) in principal_page
    assert letter_url(cast, cast.referent_person) in referent_page
    assert letter_url(cast, people["helene"]) not in referent_page
    assert "/lettres/" not in dane_page


def test_school_page_links_the_ca_sheet(client_for, cast, filled_plan):
    page = client_for(cast.dane).get(f"/etablissements/{cast.school_a.uai}/").content.decode()
    assert sheet_url(cast, "/") in page


@pytest.mark.parametrize("size", [4, 40])
def test_document_data_takes_a_fixed_number_of_queries(cast, people, size):
    extra = [PersonFactory(school=cast.school_a) for _ in range(size)]
    for person in extra:
        people[f"p{person.pk}"] = person
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    services = [(f"Service {i}", f"p{person.pk}") for i, person in enumerate(extra)]
    fill_plan(plan, people, by=cast.principal_a, services=services)

    with CaptureQueriesContext(connection) as queries:
        sheet = ca_sheet_data(load_plan(plan.pk))

    # Six for the plan and its table, two for the IMP (awards, opinions; the envelope rides on the plan), one for
    # the means given to the referents, one for the equipment requests.
    assert len(queries) == 10
    assert sum(1 for row in sheet.rows if "Service " in row.label) == size


def test_sharing_details_of_a_row_fallen_to_one_holder_are_kept_but_not_printed(cast, people):
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    fill_plan(plan, people, by=cast.principal_a, holders={"support_teams": ["helene"]})

    sheet = ca_sheet_data(load_plan(plan.pk))

    (support,) = [row for row in sheet.rows if row.label == "Accompagner l'équipe pédagogique"]
    assert support.holders == ("Hélène Bérégovoy",)
    assert support.sharing == ""
    row = plan.rows.get(mission__code="support_teams")
    assert (row.sharing, row.sharing_detail) == ("weekday", "lundi, jeudi")  # kept for when a second holder comes


def test_sharing_details_of_a_row_of_two_holders_are_printed(cast, people):
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    fill_plan(plan, people, by=cast.principal_a)

    sheet = ca_sheet_data(load_plan(plan.pk))

    (support,) = [row for row in sheet.rows if row.label == "Accompagner l'équipe pédagogique"]
    assert support.sharing == "Par jour de la semaine : lundi, jeudi"
