"""The public-sector essentials of every page: footer pages, titles, header, error pages, forms."""

import datetime
import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from rupn.context_processors import account_for
from rupn.lib.forms import DateField
from schools.models import Role
from tests.factories import RoleFactory
from tests.test_access_matrix import FILE_URLS, MATRIX, matrix_urls, roles_opening
from tests.utils import extract_form_fields, flat

FOOTER_PAGES = ["accessibility", "legal_notice", "personal_data", "site_map"]
# URL name -> why the site map does not link it.
NOT_IN_SITE_MAP = {
    "schools:staff_sts": "reached from the staff page's STS-web upload form",
    "password_reset_done": "the answer to a reset request",
    "password_reset_confirm": "reached from the link of the reset e-mail",
    "password_reset_complete": "the answer to a new password",
    "schools:person_edit": "one page per person, reached from the staff list",
    "documents:letter_preview": "one letter per referent, reached from the allocation table's documents block",
    "documents:print_batch": "one page per batch printing, reached from the batch printing page",
    "missions:plan_rollover": "a confirmation page, reached from the school page's rentrée button",
    "missions:plan_reopen": "a confirmation page, reached from a submitted plan's table (Modifier le plan soumis)",
    "missions:activity_edit": "one page per activity entry, reached from the activity log",
    "missions:activity_delete": "a confirmation page per activity entry, reached from the activity log",
    "missions:review_detail": "one page per point d'étape, reached from the school's points d'étape",
    "missions:event_detail": "one page per event, reached from the events page",
    "missions:event_edit": "one page per event, reached from the event's page",
    "imp:award": "one page per IMP award, reached from the school's IMP page",
    "schools:equipment_edit": "one page per equipment request, reached from the school's list",
    "badges:create": "reached from the DANE's badges page",
    "badges:detail": "one page per badge, reached from the DANE's badges page",
    "badges:edit": "one page per badge, reached from the badge's page",
    "badges:award": "one page per badge, reached from the badge's page",
    "badges:revoke": "a confirmation page per award, reached from the badge's page",
    "openbadges:record": "a referent's public record for a year, linked from their badges' evidence and Mes badges",
    "recognition:project_edit": "one page per project, reached from the school's projects",
    "recognition:project_delete": "a confirmation page per project, reached from the school's projects",
    "helpdesk:request_file": "reached from the help-request book (teachers only)",
    "helpdesk:request": "one page per help request, reached from the help-request book",
    "helpdesk:screenshot": "a request's screenshot, reached from the request's page",
    "helpdesk:session": "one page per session, reached from the sessions page",
}


def user_of(cast, role):
    return None if role == "anonymous" else getattr(cast, role)


def get_as(client_for, cast, name):
    """The page of this MATRIX URL, for the first role of the cast that opens it."""
    role = roles_opening(name)[0]
    return client_for(user_of(cast, role)).get(matrix_urls(cast)[name])


def page_title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


GET_PAGES = [
    name
    for name, (method, _p, _o) in MATRIX.items()
    if method == "get" and roles_opening(name) and name not in FILE_URLS
]


@pytest.mark.parametrize("name", FOOTER_PAGES)
@pytest.mark.parametrize("role", ["anonymous", "principal_a"])
def test_footer_pages_open_for_everyone_and_every_page_links_them(client_for, cast, name, role):
    response = client_for(user_of(cast, role)).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    footer = html[html.index('<footer class="fr-footer"') :]
    for other in FOOTER_PAGES:
        assert f'href="{reverse(other)}"' in footer


def test_every_page_has_its_own_title(client_for, cast):
    titles = {}
    for name in GET_PAGES:
        response = get_as(client_for, cast, name)
        title = page_title(response)
        assert title.endswith(" – RUPN") and len(title) > len(" – RUPN"), (name, title)
        titles[name] = title
    duplicates = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    assert not duplicates, {name: t for name, t in titles.items() if t in duplicates}


def test_allocation_title_names_the_page_the_school_and_the_year(client_for, cast):
    response = get_as(client_for, cast, "missions:allocation")
    assert page_title(response) == (
        f"Répartition des missions – Collège Les Lentillères – {cast.school_year.name} – RUPN"
    )


@pytest.mark.parametrize("name", GET_PAGES)
def test_site_map_links_every_page_its_reader_can_open(client_for, cast, name):
    if name in NOT_IN_SITE_MAP:
        return
    role = roles_opening(name)[0]
    url = matrix_urls(cast)[name]
    site_map = client_for(user_of(cast, role)).get(reverse("site_map")).content.decode()
    main = site_map[site_map.index("<main") : site_map.index("</main>")]
    assert f'href="{url}"' in main, (
        f"the site map of {role} does not link {name} ({url}): add it, or to NOT_IN_SITE_MAP"
    )


def test_site_map_exemptions_are_urls_of_the_matrix():
    assert set(NOT_IN_SITE_MAP) <= set(MATRIX)


def test_accessibility_statement_has_the_rgaa_parts(client, settings):
    settings.CONTACT_EMAIL = "accessibilite@ac-dijon.fr"
    html = client.get(reverse("accessibility")).content.decode()
    for text in [
        "RUPN est non conforme",
        "RGAA",
        "aucun audit de conformité n'a encore été réalisé",
        "Contenus non accessibles",
        "Retour d'information et contact",
        'href="mailto:accessibilite@ac-dijon.fr"',
        "Défenseur des droits",
        "Libre réponse 71120",
        "article 47 de la loi n° 2005-102",
    ]:
        assert text in html, text


def test_legal_notice_names_publisher_director_and_host(client, settings):
    settings.SITE_PUBLISHER = "Rectorat de l'académie de Besançon"
    settings.SITE_PUBLICATION_DIRECTOR = "la rectrice de l'académie de Besançon"
    settings.SITE_HOSTING = "Hébergeur Exemple, 1 rue de la Paix, 75002 Paris"
    html = client.get(reverse("legal_notice")).content.decode()
    assert "Rectorat de l&#x27;académie de Besançon" in html
    assert "La rectrice de l&#x27;académie de Besançon" in html
    assert "Hébergeur Exemple, 1 rue de la Paix, 75002 Paris" in html


def test_personal_data_page_says_what_is_kept_why_and_how_long(client):
    html = client.get(reverse("personal_data")).content.decode()
    for text in [
        "Personnels des établissements : nom, prénom, adresse électronique professionnelle, statut",
        "Missions tenues",
        "Comptes : adresse électronique",
        "Journal des courriels envoyés",
        "Pourquoi",
        "Combien de temps",
        "Cinq années scolaires après l'année concernée",
        "Un an après l'envoi",
        "CNIL",
    ]:
        assert text in html, text


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("principal_a", "Chef d&#x27;établissement · Collège Les Lentillères"),
        ("referent_a", "Référent numérique · Collège Les Lentillères"),
        ("dane", "DANE · Académie de Dijon"),
        ("rectorat", "Rectorat · Académie de Dijon"),
        ("collectivity_a", "Collectivité · Conseil départemental de la Côte-d&#x27;Or"),
    ],
)
def test_header_shows_the_users_name_role_and_school(client_for, cast, role, expected):
    user = getattr(cast, role)
    html = client_for(user).get(f"/etablissements/{cast.school_a.uai}/").content.decode()
    header = html[html.index('id="header-account"') : html.index("</header>")]
    assert user.get_full_name() in header
    assert expected in header


def test_principal_of_two_schools_can_switch_school_from_the_header(client_for, cast):
    RoleFactory(user=cast.principal_a, kind=Role.Kind.PRINCIPAL, school=cast.school_b)
    html = client_for(cast.principal_a).get(f"/etablissements/{cast.school_b.uai}/").content.decode()
    nav = html[html.index('id="fr-navigation"') : html.index("</nav>", html.index('id="fr-navigation"'))]
    assert "Changer d'établissement" in nav
    assert f'href="/etablissements/{cast.school_a.uai}/">Collège Les Lentillères</a>' in nav
    assert f'href="/etablissements/{cast.school_b.uai}/" aria-current="page">Collège Marcelle Pardé</a>' in nav
    assert "Chef d&#x27;établissement · Collège Marcelle Pardé" in html  # the role in the school shown


def test_principal_of_one_school_has_no_school_switcher(client_for, cast):
    html = client_for(cast.principal_a).get(f"/etablissements/{cast.school_a.uai}/").content.decode()
    assert "Changer d'établissement" not in html


def test_header_reads_the_roles_once_per_request(rf, cast, django_assert_num_queries):
    RoleFactory(user=cast.principal_a, kind=Role.Kind.PRINCIPAL, school=cast.school_b)
    RoleFactory(user=cast.principal_a, kind=Role.Kind.DANE, academie=cast.dijon)
    request = rf.get("/")
    request.user = cast.principal_a
    with django_assert_num_queries(1):
        account = account_for(request)
        assert account_for(request) is account
    assert [uai for uai, _name in account.schools] == [cast.school_a.uai, cast.school_b.uai]
    assert account.has_several_schools


@pytest.mark.parametrize("role", ["anonymous", "principal_a"])
def test_404_page_is_french_and_says_what_to_do(client_for, cast, role):
    response = client_for(user_of(cast, role)).get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Page introuvable – RUPN</title>" in html
    assert "Que faire ?" in html
    assert f'href="{reverse("site_map")}"' in html


def test_403_page_says_why_and_what_to_do(client_for, cast):
    response = client_for(cast.referent_a).get(f"/etablissements/{cast.school_a.uai}/personnels/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "<title>Accès refusé – RUPN</title>" in html
    assert "Votre rôle ne permet pas cette action dans cet établissement." in html
    assert "demandez-le au chef d'établissement ou à la DANE" in html


def test_500_page_needs_neither_the_database_nor_the_request():
    html = render_to_string("500.html")  # no db fixture: a query would fail the test
    assert "<title>Erreur du serveur – RUPN</title>" in html
    assert "Que faire ?" in html
    assert 'href="/accessibilite/"' in html


def test_expired_form_page_is_french(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x@ac-dijon.fr", "password": "x"})
    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()


def test_required_fields_are_not_marked_and_optional_ones_are(client_for, cast):
    html = client_for(cast.principal_a).get(f"/etablissements/{cast.school_a.uai}/personnels/").content.decode()
    assert "Sauf mention contraire, tous les champs sont obligatoires." in html
    assert re.search(r'<label for="id_last_name" class="fr-label">\s*Nom\s*</label>', html)
    assert re.search(r"Adresse électronique\s\(Optionnel\)", html)
    assert re.search(r"Quitte l&#x27;établissement à la fin de l&#x27;année \(mutation, retraite…\)\s*</label>", html)
    assert "fr-required-marker" not in html


def test_person_form_errors_sit_beside_fields_and_are_summarised_with_links(client_for, cast):
    client = client_for(cast.principal_a)
    url = f"/etablissements/{cast.school_a.uai}/personnels/{cast.referent_person.pk}/"
    fields = flat(extract_form_fields(client.get(url).content.decode(), "person-form"))
    fields.update(last_name="", email="pas-une-adresse")
    response = client.post(url, fields)
    assert response.status_code == 400
    html = response.content.decode()
    summary = html[html.index("data-errors-summary") : html.index("</div>", html.index("data-errors-summary"))]
    assert "Le formulaire contient 2 erreurs" in summary
    assert '<a href="#id_last_name">Nom : Ce champ est obligatoire.</a>' in summary
    assert '<a href="#id_email">Adresse électronique : Saisissez une adresse de courriel valide.</a>' in summary
    assert 'aria-invalid="true" aria-describedby="id_last_name-desc-error"' in html
    assert '<ul class="errorlist rupn-errorlist" id="id_last_name_error"><li class="fr-error-text">' in html
    assert "js/errors-summary.js" in html


def test_login_errors_are_summarised(client, db):
    response = client.post(reverse("login"), {"username": "personne@ac-dijon.fr", "password": "faux"})
    html = response.content.decode()
    assert "Le formulaire contient 1 erreur" in html
    assert '<a href="#id_username">Adresse électronique ou mot de passe incorrect.' in html


def test_page_without_errors_has_no_summary(client_for, cast):
    html = client_for(cast.principal_a).get(f"/etablissements/{cast.school_a.uai}/personnels/").content.decode()
    assert "data-errors-summary" not in html


def test_allocation_errors_name_their_row_in_the_summary(client_for, cast):
    client = client_for(cast.principal_a)
    url = f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/repartition/"
    client.post(url, {"start": "empty"})  # "Partir d'un tableau vide"
    fields = flat(extract_form_fields(client.get(url).content.decode(), "allocation-form"))
    key = next(name for name in fields if name.endswith("-sharing"))
    fields[key] = "n-importe-quoi"
    response = client.post(url, {**fields, "save": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        r'<a href="#id_[\w-]+-sharing">Accompagner l&#x27;équipe pédagogique — Partage de la mission : ', html
    )


def test_allocation_rows_describe_the_people_list_with_hint_selection_and_messages(client_for, cast):
    html = client_for(cast.principal_a).get(matrix_urls(cast)["missions:allocation"]).content.decode()
    group = re.search(r'<fieldset class="fr-fieldset rupn-picker" id="(row-\d+)-holders"[^>]*>', html)
    key = group.group(1)  # the people are a group of checkboxes (issue 15), described as the list box was
    assert f'aria-describedby="{key}-holders-hint {key}-selection {key}-messages"' in group.group(0)
    assert f'id="{key}-holders-hint"' in html
    assert f'<p class="fr-hint-text rupn-selection" id="{key}-selection" aria-live="polite" aria-atomic="true">' in html
    assert f'id="{key}-messages"' in html


def test_date_field_is_a_french_date_input():
    field = DateField(label="Date de la convention")
    assert 'type="date"' in field.widget.render("d", datetime.date(2026, 9, 1))
    assert 'value="2026-09-01"' in field.widget.render("d", datetime.date(2026, 9, 1))
    assert field.clean("2026-09-01") == datetime.date(2026, 9, 1)
    assert field.clean(" 01/09/2026 ") == datetime.date(2026, 9, 1)
    assert field.help_text == "Format attendu : JJ/MM/AAAA"
    with pytest.raises(Exception, match="JJ/MM/AAAA"):
        field.clean("09/31/2026")
