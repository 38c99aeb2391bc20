"""The projects register: the school's list and form, the DANE's list, the services' refusals and conflicts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from missions.services import plan_get_or_create
from recognition.models import Project
from recognition.services import ProjectInput, project_create, project_feature, project_update
from rupn.lib.errors import ConflictError, DomainError
from tests.factories import PersonFactory, ProjectFactory, SchoolFactory
from tests.utils import extract_form_fields, flat


def projects_url(cast):
    return f"/etablissements/{cast.school_a.uai}/{cast.school_year.name}/projets/"


def referent_in_plan(cast, person=None):
    """The cast's referent (or person) holds a mission in school A's plan this year."""
    plan = plan_get_or_create(school=cast.school_a, school_year=cast.school_year)
    plan.rows.get(mission__code="support_teams").holders.add(person or cast.referent_person)


def test_empty_list_tells_the_team_what_to_do(client_for, cast):
    html = client_for(cast.principal_a).get(projects_url(cast)).content.decode()
    assert 'id="projects-empty"' in html
    assert "Ajoutez ci-dessous les projets de l'établissement" in html
    html = client_for(cast.dane).get(projects_url(cast)).content.decode()
    assert "le chef d'établissement et les référents les ajoutent sur cette page" in html
    assert 'id="project-form"' not in html  # the DANE reads


def test_referent_records_a_project_by_posting_back_the_form(client_for, cast):
    teacher = PersonFactory(school=cast.school_a, first_name="Tess", last_name="Enseignante")
    client = client_for(cast.referent_a)
    data = extract_form_fields(client.get(projects_url(cast)).content, "project-form")
    data.update(
        title=["Blog de la 5e A"],
        classes=["5e A"],
        dane_project=["blogue"],
        referents=[str(cast.referent_person.pk)],
        teachers=[str(teacher.pk)],
        other_teachers=["Mme Intervenante (médiathèque)"],
    )
    response = client.post(projects_url(cast), flat(data))
    assert response.status_code == 302
    project = Project.objects.get()
    assert (project.school, project.school_year, project.dane_project) == (cast.school_a, cast.school_year, "blogue")
    assert list(project.referents.all()) == [cast.referent_person]
    assert list(project.teachers.all()) == [teacher]
    assert project.created_by == cast.referent_a
    html = client.get(projects_url(cast)).content.decode()
    assert "Blog de la 5e A" in html and "Blogue ton école" in html and "Tess Enseignante, Mme Intervenante" in html


def test_a_project_without_referent_is_flagged_and_counted(client_for, cast):
    ProjectFactory.create_batch(2, school=cast.school_a, school_year=cast.school_year)
    with_referent = ProjectFactory(school=cast.school_a, school_year=cast.school_year)
    with_referent.referents.add(cast.referent_person)
    html = client_for(cast.principal_a).get(projects_url(cast)).content.decode()
    assert "2 projets n'ont aucun référent numérique associé." in html
    assert html.count("Aucun référent associé") == 2


def test_a_person_of_another_school_cannot_be_associated(cast):
    other = PersonFactory(school=cast.school_b)
    with pytest.raises(DomainError, match="pas référent numérique"):
        project_create(
            school=cast.school_a,
            school_year=cast.school_year,
            data=ProjectInput(title="Projet", referent_ids=frozenset({other.pk})),
            by=cast.principal_a,
        )
    with pytest.raises(DomainError, match="ne fait pas partie du personnel"):
        project_create(
            school=cast.school_a,
            school_year=cast.school_year,
            data=ProjectInput(title="Projet", teacher_ids=frozenset({other.pk})),
            by=cast.principal_a,
        )


def test_only_the_schools_referents_of_the_year_are_offered(client_for, cast):
    in_plan = PersonFactory(school=cast.school_a, first_name="Paul", last_name="Planifié")
    referent_in_plan(cast, in_plan)
    PersonFactory(school=cast.school_a, first_name="Nina", last_name="Nonréférente")
    form = client_for(cast.principal_a).get(projects_url(cast)).content.decode()
    referents = form[form.index('name="referents"') - 2000 : form.index("Enseignants impliqués")]
    assert "Paul Planifié" in referents and "Romain Référent" in referents  # in the plan; a referent account
    assert "Nina Nonréférente" not in referents


def test_second_saver_keeps_the_other_ones_change_and_their_own(client_for, cast):
    project = ProjectFactory(school=cast.school_a, school_year=cast.school_year, title="Avant")
    url = f"{projects_url(cast)}{project.pk}/"
    first = client_for(cast.principal_a)
    data = extract_form_fields(first.get(url).content, "project-form")
    project_update(
        project=project, expected_version=project.version, data=ProjectInput(title="Saisi par l'autre"), by=None
    )
    data["outcome"] = ["Un bilan que je ne veux pas perdre"]
    assert first.post(url, flat(data)).status_code == 302
    project.refresh_from_db()
    assert (project.title, project.outcome) == ("Saisi par l'autre", "Un bilan que je ne veux pas perdre")


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_second_saver_is_asked_on_a_field_both_changed_and_keeps_the_choice(client_for, cast, choice):
    # Was: the second save was refused, and saving again from that page undid the other one's changes.
    project = ProjectFactory(school=cast.school_a, school_year=cast.school_year, title="Avant")
    url = f"{projects_url(cast)}{project.pk}/"
    first = client_for(cast.principal_a)
    data = extract_form_fields(first.get(url).content, "project-form")
    project_update(
        project=project,
        expected_version=project.version,
        data=ProjectInput(title="Saisi par l'autre"),
        by=cast.referent_a,
    )
    data["title"] = ["Ma saisie"]
    data["outcome"] = ["Un bilan que je ne veux pas perdre"]
    response = first.post(url, flat(data))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Enregistré par Romain Référent le" in html
    assert "Votre saisie&nbsp;: Ma saisie" in html and "à " in html
    assert 'value="Ma saisie"' in html and "Un bilan que je ne veux pas perdre" in html
    project.refresh_from_db()
    assert project.title == "Saisi par l'autre"
    again = extract_form_fields(html, "project-form") | {"keep::title": [choice]}
    assert first.post(url, flat(again)).status_code == 302
    project.refresh_from_db()
    assert (project.title, project.outcome) == (
        "Ma saisie" if choice == "mine" else "Saisi par l'autre",
        "Un bilan que je ne veux pas perdre",
    )


def test_conflict_is_refused_by_the_service(cast):
    project = ProjectFactory(school=cast.school_a, school_year=cast.school_year)
    with pytest.raises(ConflictError):
        project_update(project=project, expected_version=project.version + 1, data=ProjectInput(title="X"), by=None)


def test_delete_asks_then_deletes(client_for, cast):
    project = ProjectFactory(school=cast.school_a, school_year=cast.school_year, title="À supprimer")
    client = client_for(cast.referent_a)
    url = f"{projects_url(cast)}{project.pk}/supprimer/"
    page = client.get(url)
    assert "Supprimer le projet « À supprimer » ?" in page.content.decode()
    assert Project.objects.exists()
    response = client.post(url, flat(extract_form_fields(page.content, "project-delete-form")))
    assert response.status_code == 302
    assert not Project.objects.exists()


def test_a_project_of_another_school_is_a_404_even_through_ones_own_uai(client_for, cast):
    other = ProjectFactory(school=cast.school_b, school_year=cast.school_year)
    response = client_for(cast.principal_a).get(f"{projects_url(cast)}{other.pk}/")
    assert response.status_code == 404


def test_dane_features_and_unfeatures_a_project_and_comes_back_to_its_filtered_list(client_for, cast):
    project = ProjectFactory(school=cast.school_a, school_year=cast.school_year, title="Tw'haïku des 6e")
    client = client_for(cast.dane)
    list_url = f"/dane/projets/?annee={cast.school_year.name}&q=des+6e"
    page = client.get(list_url)
    assert "Tw&#x27;haïku des 6e" in page.content.decode()
    form = extract_form_fields(page.content, f"feature-{project.pk}")
    response = client.post(f"/dane/projets/{project.pk}/valoriser/", flat(form))
    assert response.status_code == 302 and response["Location"] == list_url
    project.refresh_from_db()
    assert project.featured and project.featured_by == cast.dane
    page = client.get(list_url).content.decode()
    assert "Ne plus valoriser" in page
    response = client.post(
        f"/dane/projets/{project.pk}/valoriser/", flat(extract_form_fields(page, f"feature-{project.pk}"))
    )
    project.refresh_from_db()
    assert not project.featured


def test_feature_never_redirects_outside_the_site(client_for, cast):
    project = ProjectFactory(school=cast.school_a, school_year=cast.school_year)
    response = client_for(cast.dane).post(
        f"/dane/projets/{project.pk}/valoriser/", {"featured": "1", "next": "https://example.org/"}
    )
    assert response["Location"] == "/dane/projets/"


def test_featuring_does_not_make_the_schools_editor_conflict(cast):
    project = ProjectFactory(school=cast.school_a, school_year=cast.school_year)
    version = project.version
    project_feature(project=project, featured=True, by=cast.dane)
    project_update(project=project, expected_version=version, data=ProjectInput(title="Suite"), by=cast.principal_a)


def test_rectorat_reads_the_list_without_feature_buttons(client_for, cast):
    ProjectFactory(school=cast.school_a, school_year=cast.school_year)
    html = client_for(cast.rectorat).get("/dane/projets/").content.decode()
    assert 'id="academie-projects"' in html
    assert "Valoriser" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Tw'haïku A", "Sans référent B", "Valorisé A", "Côte-d'Or seulement"}),
        ("projet=twhaiku", {"Tw'haïku A"}),
        ("valorise=oui", {"Valorisé A"}),
        ("sans_referent=on", {"Sans référent B", "Valorisé A", "Côte-d'Or seulement"}),
        ("q=Pardé", {"Sans référent B"}),
        ("departement=58", {"Nièvre"}),
    ],
)
def test_dane_filters_from_the_url(client_for, cast, query, expected):
    from tests.factories import DepartementFactory

    nievre = DepartementFactory(code="58", name="Nièvre", academie=cast.dijon)
    twhaiku = ProjectFactory(
        school=cast.school_a, school_year=cast.school_year, title="Tw'haïku A", dane_project="twhaiku"
    )
    twhaiku.referents.add(cast.referent_person)
    ProjectFactory(school=cast.school_b, school_year=cast.school_year, title="Sans référent B")
    ProjectFactory(school=cast.school_a, school_year=cast.school_year, title="Valorisé A", featured_by_dane=True)
    ProjectFactory(school=cast.school_a, school_year=cast.school_year, title="Côte-d'Or seulement")
    ProjectFactory(
        school=SchoolFactory(departement=nievre, collectivity=cast.cd21), school_year=cast.school_year, title="Nièvre"
    )
    ProjectFactory(school=cast.school_c, school_year=cast.school_year, title="Besançon")  # another académie
    if "departement" not in query:
        expected = expected | ({"Nièvre"} if query in ("", "sans_referent=on") else set())
    response = client_for(cast.dane).get(f"/dane/projets/?{query}")
    shown = {p.title for p in response.context["page"]}
    assert shown == expected


def test_csv_export_lists_the_filtered_projects(client_for, cast):
    project = ProjectFactory(school=cast.school_a, school_year=cast.school_year, title="=Formule")
    project.referents.add(cast.referent_person)
    ProjectFactory(school=cast.school_c, school_year=cast.school_year, title="Besançon")
    response = client_for(cast.rectorat).get("/dane/projets.csv")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert body.startswith("\ufeffannée;département;uai")
    assert "'=Formule" in body and "Romain Référent" in body
    assert "Besançon" not in body


@pytest.mark.parametrize("size", [3, 30])
def test_school_list_query_count_does_not_grow_with_projects(client_for, cast, size):
    teachers = PersonFactory.create_batch(3, school=cast.school_a)
    referent_in_plan(cast)
    for project in ProjectFactory.create_batch(size, school=cast.school_a, school_year=cast.school_year):
        project.teachers.set(teachers)
        project.referents.add(cast.referent_person)
    client = client_for(cast.referent_a)
    client.get(projects_url(cast))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(projects_url(cast)).status_code == 200
    assert len(queries) == EXPECTED_SCHOOL_LIST_QUERIES, [q["sql"] for q in queries]


EXPECTED_SCHOOL_LIST_QUERIES = 11  # the same whatever the number of projects, teachers and referents


@pytest.mark.parametrize("size", [3, 40])
def test_dane_list_query_count_does_not_grow_with_projects(client_for, cast, size):
    for i in range(size):
        school = cast.school_a if i % 2 else cast.school_b
        project = ProjectFactory(school=school, school_year=cast.school_year)
        project.referents.add(cast.referent_person)
    client = client_for(cast.dane)
    client.get("/dane/projets/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dane/projets/").status_code == 200
    assert len(queries) == EXPECTED_DANE_LIST_QUERIES, [q["sql"] for q in queries]


EXPECTED_DANE_LIST_QUERIES = (
    10  # session, user, roles, current year, years, départements, count, page, referents, header
)


def test_readers_cannot_post_and_another_school_is_a_404(client_for, cast):
    data = {"title": "Intrus", "version": "1"}
    for role, expected in (("dane", 403), ("rectorat", 403), ("collectivity_a", 403), ("principal_b", 404)):
        assert client_for(getattr(cast, role)).post(projects_url(cast), data).status_code == expected, role
    assert not Project.objects.exists()


def test_school_page_links_the_years_projects_for_the_team_not_for_the_collectivite(client_for, cast):
    url = f'href="{projects_url(cast)}"'
    assert url in client_for(cast.referent_a).get(f"/etablissements/{cast.school_a.uai}/").content.decode()
    assert url not in client_for(cast.collectivity_a).get(f"/etablissements/{cast.school_a.uai}/").content.decode()


@pytest.mark.parametrize("query", ["", "?q=Blog"], ids=["no-filter", "other-filter-only"])
def test_the_year_select_shows_the_year_the_list_shows(client_for, cast, query):
    from schools.models import SchoolYear

    SchoolYear.objects.get_or_create(start_year=cast.school_year.start_year + 1)  # listed first in the select
    html = client_for(cast.dane).get(f"/dane/projets/{query}").content.decode()
    select = html[html.index('name="annee"') : html.index("</select>", html.index('name="annee"'))]
    current = SchoolYear.current().name
    assert f'<option value="{current}" selected>' in select
    assert select.count("selected") == 1
