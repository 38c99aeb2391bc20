"""Login, home and the staff pages, as the cast uses them."""

import html as htmllib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from schools.models import Person
from tests.conftest import PASSWORD
from tests.factories import PersonFactory, SchoolFactory
from tests.utils import extract_form_fields, flat


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


def test_login_page_is_french_and_logs_a_principal_in_to_their_school(client, cast):
    page = text(client.get("/connexion/"))
    assert "Connexion à RUPN" in page
    assert 'lang="fr"' in page
    response = client.post("/connexion/", {"username": "principal.a@ac-dijon.fr", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == f"/etablissements/{cast.school_a.uai}/"
    assert cast.school_a.name in text(response)


def test_wrong_password_is_answered_in_french_and_keeps_the_email(client, cast):
    response = client.post("/connexion/", {"username": "principal.a@ac-dijon.fr", "password": "faux"})
    assert response.status_code == 200
    page = text(response)
    assert "Adresse électronique ou mot de passe incorrect" in page
    assert 'value="principal.a@ac-dijon.fr"' in page


def test_logout_clears_the_session(client_for, cast):
    client = client_for(cast.principal_a)
    assert client.post("/deconnexion/").status_code == 302
    assert client.get(f"/etablissements/{cast.school_a.uai}/")["Location"].startswith("/connexion/")


def test_dane_home_lists_the_schools_of_its_academie_only(client_for, cast):
    page = text(client_for(cast.dane).get("/"))
    assert cast.school_a.name in page and cast.school_b.name in page
    assert cast.school_c.name not in page
    page = text(client_for(cast.dane).get("/", {"q": cast.school_b.uai}))
    assert cast.school_b.name in page and cast.school_a.name not in page


def test_principal_adds_a_person_from_the_rendered_form(client_for, cast):
    client = client_for(cast.principal_a)
    url = reverse("schools:staff", args=[cast.school_a.uai])
    page = client.get(url).content
    data = extract_form_fields(page, "person-add-form")
    data.update(last_name=["Lefèvre"], first_name=["Élodie"], email=["Elodie.Lefevre@ac-dijon.fr"], status=["cpe"])
    data["leaving"] = ["on"]
    response = client.post(url, flat(data))
    assert response.status_code == 302
    person = Person.objects.get(school=cast.school_a, last_name="Lefèvre")
    assert (person.email, person.status, person.leaving) == ("elodie.lefevre@ac-dijon.fr", "cpe", True)


def test_adding_a_person_with_a_bad_email_is_answered_beside_the_field(client_for, cast):
    client = client_for(cast.principal_a)
    url = reverse("schools:staff", args=[cast.school_a.uai])
    before = Person.objects.count()
    response = client.post(
        url, {"action": "add", "last_name": "X", "first_name": "Y", "email": "pas-une-adresse", "status": "enseignant"}
    )
    assert response.status_code == 400
    assert 'id="id_email-desc-error"' in response.content.decode()
    assert "Saisissez une adresse de courriel valide" in text(response)
    assert Person.objects.count() == before


def test_staff_import_page_refuses_a_bad_file_whole_with_line_numbers(client_for, cast):
    client = client_for(cast.principal_a)
    url = reverse("schools:staff", args=[cast.school_a.uai])
    before = Person.objects.count()
    content = "nom;prenom;email;statut\nDupont;Alice;alice@ac-dijon.fr;enseignant\nMartin;Paul;paul@ac-dijon.fr;prof de maths\n"
    upload = SimpleUploadedFile("personnels.csv", content.encode(), content_type="text/csv")
    response = client.post(url, {"action": "import", "file": upload})
    assert response.status_code == 400
    page = text(response)
    assert "rien n'a été importé" in page
    assert "Ligne 3" in page
    assert Person.objects.count() == before


def test_staff_import_page_imports_a_good_file(client_for, cast):
    client = client_for(cast.principal_a)
    url = reverse("schools:staff", args=[cast.school_a.uai])
    content = "nom;prenom;email;statut;cpge;depart\nDupont;Alice;alice@ac-dijon.fr;enseignant;non;oui\n"
    upload = SimpleUploadedFile("personnels.csv", content.encode(), content_type="text/csv")
    response = client.post(url, {"action": "import", "file": upload}, follow=True)
    assert "1 ajout(s), 0 mise(s) à jour, 0 inchangé(s)" in text(response)
    assert Person.objects.get(school=cast.school_a, email="alice@ac-dijon.fr").leaving is True


def test_second_save_of_a_person_keeps_both_changes(client_for, cast):
    person = PersonFactory(school=cast.school_a, last_name="Dupont", first_name="Alice")
    client = client_for(cast.principal_a)
    url = reverse("schools:person_edit", args=[cast.school_a.uai, person.pk])
    first = extract_form_fields(client.get(url).content, "person-form")
    second = extract_form_fields(client.get(url).content, "person-form")
    first["last_name"] = ["Dupont-Premier"]
    assert client.post(url, flat(first)).status_code == 302
    second["leaving"] = ["on"]
    assert client.post(url, flat(second)).status_code == 302
    person.refresh_from_db()
    assert (person.last_name, person.leaving) == ("Dupont-Premier", True)


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_same_field_of_a_person_changed_by_both_asks_and_keeps_the_choice(client_for, cast, choice):
    # Was: the second save was refused ("modifiée par quelqu'un d'autre"); now it asks which value to keep.
    person = PersonFactory(school=cast.school_a, last_name="Dupont", first_name="Alice")
    client = client_for(cast.principal_a)
    url = reverse("schools:person_edit", args=[cast.school_a.uai, person.pk])
    first = extract_form_fields(client.get(url).content, "person-form")
    second = extract_form_fields(client.get(url).content, "person-form")
    first["last_name"] = ["Dupont-Premier"]
    assert client.post(url, flat(first)).status_code == 302
    second["last_name"] = ["Dupont-Second"]
    second["first_name"] = ["Alicia"]
    response = client.post(url, flat(second))
    assert response.status_code == 409
    page = text(response)
    assert "Votre saisie\xa0: Dupont-Second" in page
    assert "Enregistré par quelqu'un d'autre\xa0: Dupont-Premier" in page  # a person's record keeps no author
    assert 'value="Dupont-Second"' in response.content.decode()
    person.refresh_from_db()
    assert (person.last_name, person.first_name) == ("Dupont-Premier", "Alice")
    again = extract_form_fields(response.content, "person-form") | {"keep::last_name": [choice]}
    assert client.post(url, flat(again)).status_code == 302
    person.refresh_from_db()
    assert (person.last_name, person.first_name) == (
        "Dupont-Second" if choice == "mine" else "Dupont-Premier",
        "Alicia",
    )


def test_principal_cannot_edit_a_person_of_another_school(client_for, cast):
    other = PersonFactory(school=cast.school_b)
    client = client_for(cast.principal_a)
    assert client.get(reverse("schools:person_edit", args=[cast.school_a.uai, other.pk])).status_code == 404
    assert client.get(reverse("schools:person_edit", args=[cast.school_b.uai, other.pk])).status_code == 404


def test_the_home_page_paginates_a_search_and_keeps_it_in_the_links(client_for, cast):
    for n in range(30):
        SchoolFactory(departement=cast.school_a.departement, name=f"Lycée Pagination {n:02d}")
    html = client_for(cast.dane).get("/", {"q": "Pagination"}).content.decode()
    assert 'aria-current="page"' in html and 'title="Page 2"' in html  # django-dsfr's pagination
    assert "?q=Pagination&amp;page=2" in html
