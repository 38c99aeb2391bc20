"""The means given to the referents, and the equipment requests from the school to its collectivité."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schools.models import EquipmentRequest, SchoolMeans
from tests.factories import EquipmentRequestFactory, SchoolMeansFactory
from tests.utils import extract_form_fields, flat


def means_url(cast) -> str:
    return f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/moyens/"


def equipment_url(cast, school=None) -> str:
    return f"/etablissements/{(school or cast.school_a).uai}/{cast.school_year.name}/equipements/"


def collectivity_url(cast, code="CD21") -> str:
    return f"/collectivite/{code}/{cast.school_year.name}/equipements/"


# Means


def test_principal_records_the_means_from_the_rendered_form(client_for, cast):
    client = client_for(cast.principal_a)
    fields = flat(extract_form_fields(client.get(means_url(cast)).content, "means-form"))
    fields.update(
        phone="on", ticket_server="on", ticket_server_url="https://glpi.cotedor.fr/eple/0210001M", office="on"
    )
    assert client.post(means_url(cast), fields).status_code == 302
    means = SchoolMeans.objects.get()
    assert (means.phone, means.notice_board, means.ticket_server, means.office) == (True, False, True, True)
    assert means.ticket_server_url == "https://glpi.cotedor.fr/eple/0210001M"
    assert means.updated_by == cast.principal_a and means.version == 2
    page = client.get(f"/etablissements/{cast.school_a.uai}/").content.decode()
    assert "Moyens donnés aux référents : Téléphone, Serveur de tickets, Bureau." in page
    again = flat(extract_form_fields(client.get(means_url(cast)).content, "means-form"))
    assert again["phone"] == "on" and again["version"] == "2"


def test_others_read_the_means_and_cannot_change_them(client_for, cast):
    SchoolMeansFactory(school=cast.school_a, school_year=cast.school_year, notice_board=True, details="Salle B12")
    for user in (cast.referent_a, cast.dane, cast.rectorat, cast.collectivity_a):
        client = client_for(user)
        text = client.get(means_url(cast)).content.decode()
        assert "Tableau d&#x27;affichage" in text and "Salle B12" in text
        assert 'id="means-form"' not in text
        assert client.post(means_url(cast), {"version": "1", "phone": "on"}).status_code == 403
    assert not SchoolMeans.objects.get().phone


def test_a_ticket_server_address_needs_the_ticket_server(client_for, cast):
    client = client_for(cast.principal_a)
    fields = flat(extract_form_fields(client.get(means_url(cast)).content, "means-form"))
    fields.update(ticket_server_url="https://glpi.example.fr")
    response = client.post(means_url(cast), fields)
    assert response.status_code == 400
    assert "Cochez « serveur de tickets »" in response.content.decode()
    fields.update(ticket_server="on", ticket_server_url="javascript:alert(1)")
    assert client.post(means_url(cast), fields).status_code == 400
    assert not SchoolMeans.objects.filter(ticket_server=True).exists()


def test_second_save_of_the_means_keeps_both_changes(client_for, cast):
    # Was: refused, and saving again from the refused page unticked the first one's "téléphone".
    client = client_for(cast.principal_a)
    stale = flat(extract_form_fields(client.get(means_url(cast)).content, "means-form"))
    assert client.post(means_url(cast), {**stale, "phone": "on"}).status_code == 302
    assert client.post(means_url(cast), {**stale, "office": "on", "details": "Bureau 12"}).status_code == 302
    means = SchoolMeans.objects.get()
    assert (means.phone, means.office, means.details, means.version) == (True, True, "Bureau 12", 3)


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_means_changed_alike_field_by_both_asks_the_second_and_keeps_the_choice(client_for, cast, choice):
    client = client_for(cast.principal_a)
    stale = flat(extract_form_fields(client.get(means_url(cast)).content, "means-form"))
    assert client.post(means_url(cast), {**stale, "details": "Bureau 12"}).status_code == 302
    response = client.post(means_url(cast), {**stale, "details": "Bureau 14", "office": "on"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Votre saisie&nbsp;: Bureau 14" in page and "Enregistré par" in page
    assert SchoolMeans.objects.get().details == "Bureau 12"  # nothing saved until chosen
    kept = flat(extract_form_fields(page, "means-form"))
    assert kept["details"] == "Bureau 14" and kept["office"] == "on"
    assert client.post(means_url(cast), {**kept, "keep::details": choice}).status_code == 302
    means = SchoolMeans.objects.get()
    assert (means.details, means.office) == ("Bureau 14" if choice == "mine" else "Bureau 12", True)


# Equipment requests: the school's list


def add_request(client, cast, **values):
    fields = flat(extract_form_fields(client.get(equipment_url(cast)).content, "equipment-add-form"))
    fields.update(values)
    return client.post(equipment_url(cast), fields)


def order(cast) -> list[str]:
    return list(
        EquipmentRequest.objects.filter(school=cast.school_a).order_by("priority", "pk").values_list("item", flat=True)
    )


def test_referent_and_principal_keep_the_list_in_priority_order(client_for, cast):
    referent = client_for(cast.referent_a)
    assert add_request(referent, cast, item="Tablettes", quantity="15", use="Classe mobile", cost_estimate="4500,50")
    principal = client_for(cast.principal_a)
    assert add_request(principal, cast, item="Vidéoprojecteur", quantity="1", use="Salle 12").status_code == 302
    add_request(principal, cast, item="Bornes wifi", quantity="3", use="CDI")
    first = EquipmentRequest.objects.get(item="Tablettes")
    assert (first.quantity, first.cost_estimate, first.created_by) == (15, Decimal("4500.50"), cast.referent_a)
    assert order(cast) == ["Tablettes", "Vidéoprojecteur", "Bornes wifi"]
    third = EquipmentRequest.objects.get(item="Bornes wifi")
    assert principal.post(equipment_url(cast), {"action": "up", "request": third.pk}).status_code == 302
    assert order(cast) == ["Tablettes", "Bornes wifi", "Vidéoprojecteur"]
    referent.post(equipment_url(cast), {"action": "up", "request": third.pk})
    assert order(cast) == ["Bornes wifi", "Tablettes", "Vidéoprojecteur"]
    referent.post(equipment_url(cast), {"action": "up", "request": third.pk})  # already first: nothing moves
    referent.post(equipment_url(cast), {"action": "down", "request": first.pk})
    assert order(cast) == ["Bornes wifi", "Vidéoprojecteur", "Tablettes"]
    priorities = list(EquipmentRequest.objects.order_by("priority").values_list("priority", flat=True))
    assert priorities == [1, 2, 3]
    text = referent.get(equipment_url(cast)).content.decode()
    assert "4 500,50 €" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert 'value="up"' in text and 'value="down"' in text  # plain buttons: keyboard-usable


def test_two_people_editing_a_request_keep_both_changes(client_for, cast):
    # Was: no version at all; the second save silently undid the first one's quantity.
    draft = EquipmentRequestFactory(school=cast.school_a, school_year=cast.school_year, item="Casques", quantity=10)
    edit_url = f"{equipment_url(cast)}{draft.pk}/"
    first = client_for(cast.principal_a)
    stale = flat(extract_form_fields(first.get(edit_url).content, "equipment-edit-form"))
    assert first.post(edit_url, {**stale, "quantity": "30"}).status_code == 302
    second = client_for(cast.referent_a)
    assert second.post(edit_url, {**stale, "use": "Salle de langues"}).status_code == 302
    draft.refresh_from_db()
    assert (draft.quantity, draft.use, draft.version) == (30, "Salle de langues", 3)


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_same_field_of_a_request_changed_by_both_asks_and_keeps_the_choice(client_for, cast, choice):
    draft = EquipmentRequestFactory(school=cast.school_a, school_year=cast.school_year, item="Casques", quantity=10)
    edit_url = f"{equipment_url(cast)}{draft.pk}/"
    first = client_for(cast.principal_a)
    stale = flat(extract_form_fields(first.get(edit_url).content, "equipment-edit-form"))
    assert first.post(edit_url, {**stale, "quantity": "30"}).status_code == 302
    second = client_for(cast.referent_a)
    response = second.post(edit_url, {**stale, "quantity": "12", "use": "Salle de langues"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Votre saisie&nbsp;: 12" in page and "Enregistré par Anne Principale à" in page
    draft.refresh_from_db()
    assert (draft.quantity, draft.use) == (30, stale["use"])  # nothing saved until chosen
    again = flat(extract_form_fields(page, "equipment-edit-form")) | {"keep::quantity": choice}
    assert second.post(edit_url, again).status_code == 302
    draft.refresh_from_db()
    assert (draft.quantity, draft.use) == (12 if choice == "mine" else 30, "Salle de langues")


def test_a_request_is_edited_or_removed_while_in_preparation_only(client_for, cast):
    draft = EquipmentRequestFactory(school=cast.school_a, school_year=cast.school_year, item="Casques")
    client = client_for(cast.referent_a)
    edit_url = f"{equipment_url(cast)}{draft.pk}/"
    fields = flat(extract_form_fields(client.get(edit_url).content, "equipment-edit-form"))
    assert fields["item"] == "Casques"
    fields.update(quantity="30", cost_estimate="")
    assert client.post(edit_url, fields).status_code == 302
    draft.refresh_from_db()
    assert (draft.quantity, draft.cost_estimate) == (30, None)
    assert client.post(equipment_url(cast), {"action": "send"}).status_code == 302
    draft.refresh_from_db()
    assert (draft.state, draft.sent_by) == ("sent", cast.referent_a)
    assert client.get(edit_url).status_code == 302
    response = client.post(equipment_url(cast), {"action": "delete", "request": draft.pk})
    assert response.status_code == 400
    assert "déjà envoyée" in response.content.decode()
    assert EquipmentRequest.objects.filter(pk=draft.pk).exists()


def test_sending_with_nothing_in_preparation_says_so(client_for, cast):
    response = client_for(cast.principal_a).post(equipment_url(cast), {"action": "send"})
    assert response.status_code == 400
    assert "Aucune demande en préparation à envoyer." in response.content.decode()


def test_an_invalid_request_is_answered_beside_its_fields(client_for, cast):
    response = add_request(client_for(cast.principal_a), cast, item="", quantity="0", use="x", cost_estimate="-5")
    assert response.status_code == 400
    assert not EquipmentRequest.objects.exists()


def test_readers_see_the_list_without_controls_and_cannot_post(client_for, cast):
    EquipmentRequestFactory(school=cast.school_a, school_year=cast.school_year, item="Casques")
    for user in (cast.dane, cast.rectorat, cast.collectivity_a):
        client = client_for(user)
        text = client.get(equipment_url(cast)).content.decode()
        assert "Casques" in text and 'id="equipment-add-form"' not in text and 'value="up"' not in text
        assert client.post(equipment_url(cast), {"action": "send"}).status_code == 403


def test_a_request_of_another_school_cannot_be_moved(client_for, cast):
    other = EquipmentRequestFactory(school=cast.school_b, school_year=cast.school_year)
    assert (
        client_for(cast.principal_a).post(equipment_url(cast), {"action": "delete", "request": other.pk}).status_code
        == 404
    )
    assert client_for(cast.principal_a).get(f"{equipment_url(cast)}{other.pk}/").status_code == 404


# Equipment requests: the collectivité's answers


def test_collectivity_sees_sent_requests_in_priority_order_and_answers_each(client_for, cast):
    for priority, item in enumerate(["Tablettes", "Vidéoprojecteur", "Casques"], start=1):
        EquipmentRequestFactory(
            school=cast.school_a, school_year=cast.school_year, item=item, priority=priority, sent=True
        )
    EquipmentRequestFactory(school=cast.school_b, school_year=cast.school_year, item="Imprimante 3D", sent=True)
    EquipmentRequestFactory(school=cast.school_a, school_year=cast.school_year, item="Brouillon", priority=4)
    EquipmentRequestFactory(school=cast.school_c, school_year=cast.school_year, item="Doubs", sent=True)
    client = client_for(cast.collectivity_a)
    text = client.get(collectivity_url(cast)).content.decode()
    assert text.index("Tablettes") < text.index("Vidéoprojecteur") < text.index("Casques")
    assert "Imprimante 3D" in text and "Brouillon" not in text and "Doubs" not in text

    tablets = EquipmentRequest.objects.get(item="Tablettes")
    fields = flat(extract_form_fields(text, f"answer-{tablets.pk}"))
    assert fields["request"] == str(tablets.pk) and fields[f"answer-{tablets.pk}-state"] == "accepted"
    fields[f"answer-{tablets.pk}-comment"] = "Livraison prévue en mars"
    assert client.post(collectivity_url(cast), fields).status_code == 302
    tablets.refresh_from_db()
    assert (tablets.state, tablets.answer_comment, tablets.answered_by) == (
        "accepted",
        "Livraison prévue en mars",
        cast.collectivity_a,
    )

    helmets = EquipmentRequest.objects.get(item="Casques")
    refusal = {"request": helmets.pk, f"answer-{helmets.pk}-state": "refused", f"answer-{helmets.pk}-comment": ""}
    response = client.post(collectivity_url(cast), refusal)
    assert response.status_code == 400
    assert "Donnez le motif du refus" in response.content.decode()
    refusal[f"answer-{helmets.pk}-comment"] = "Budget 2027 épuisé"
    assert client.post(collectivity_url(cast), refusal).status_code == 302

    school_page = client_for(cast.referent_a).get(equipment_url(cast)).content.decode()
    assert "Acceptée" in school_page and "Livraison prévue en mars" in school_page
    assert "Refusée" in school_page and "Budget 2027 épuisé" in school_page


def test_delivered_after_accepted_and_no_answer_to_a_refused_request(client_for, cast):
    item = EquipmentRequestFactory(school=cast.school_a, school_year=cast.school_year, sent=True)
    client = client_for(cast.collectivity_a)
    for state, expected in (("accepted", 302), ("delivered", 302), ("refused", 400)):
        answer = {"request": item.pk, f"answer-{item.pk}-state": state, f"answer-{item.pk}-comment": "Trop tard"}
        response = client.post(collectivity_url(cast), answer)
        assert response.status_code == expected, state
    assert "Cette demande est « Livrée » : cette réponse n&#x27;est plus possible." in response.content.decode()
    item.refresh_from_db()
    assert item.state == "delivered"


def test_other_collectivity_cannot_answer_and_drafts_cannot_be_answered(client_for, cast):
    sent = EquipmentRequestFactory(school=cast.school_a, school_year=cast.school_year, sent=True)
    draft = EquipmentRequestFactory(school=cast.school_a, school_year=cast.school_year)
    answer = {"request": sent.pk, f"answer-{sent.pk}-state": "accepted"}
    assert client_for(cast.collectivity_other).post(collectivity_url(cast), answer).status_code == 404
    assert client_for(cast.collectivity_other).post(collectivity_url(cast, "CD25"), answer).status_code == 404
    draft_answer = {"request": draft.pk, f"answer-{draft.pk}-state": "accepted"}
    assert client_for(cast.collectivity_a).post(collectivity_url(cast), draft_answer).status_code == 404
    sent.refresh_from_db()
    assert sent.state == "sent"


@pytest.mark.parametrize("size", [3, 30])
def test_equipment_pages_query_counts_do_not_grow(client_for, cast, size):
    for index in range(size):
        EquipmentRequestFactory(school=cast.school_a, school_year=cast.school_year, priority=index + 1, sent=True)
        EquipmentRequestFactory(school=cast.school_b, school_year=cast.school_year, priority=index + 1, sent=True)
    counts = []
    for user, url in ((cast.principal_a, equipment_url(cast)), (cast.collectivity_a, collectivity_url(cast))):
        client = client_for(user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts == EXPECTED_EQUIPMENT_QUERIES


EXPECTED_EQUIPMENT_QUERIES = [7, 9]
