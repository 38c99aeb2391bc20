"""The projects part of the demo (called by demo.loader): three projects of the demo school, once.

The demo referent is associated with two of them (they show on "Mon parcours"); the third has no referent, so
the school's list shows the warning the seed asks for; the DANE features one.
"""

from recognition.models import Project
from recognition.services import ProjectInput, project_create, project_feature
from schools.models import Person, School, SchoolYear

PROJECTS = [
    ("Tw'haïku des 6e", "6e A, 6e B", "twhaiku", True, "Écrire des haïkus et les publier sur le réseau de la DANE."),
    ("Blog du CDI", "4e C", "blogue", True, "Les élèves rédigent les critiques de lecture du CDI."),
    ("Classe mobile en sciences", "5e A, 5e D", "", False, "Tablettes en SVT et en physique-chimie."),
]


def load_recognition_demo(
    *, school: School, year: SchoolYear, referent_person: Person, principal, dane, created: dict
) -> None:
    created["projets numériques"] = 0
    if Project.objects.filter(school=school, school_year=year).exists():
        return
    teachers = list(
        Person.objects.filter(school=school, is_active=True, status=Person.Status.TEACHER)
        .exclude(pk=referent_person.pk)
        .order_by("last_name", "first_name", "pk")[:2]
    )
    for title, classes, dane_project, with_referent, description in PROJECTS:
        project = project_create(
            school=school,
            school_year=year,
            data=ProjectInput(
                title=title,
                classes=classes,
                description=description,
                dane_project=dane_project,
                teacher_ids=frozenset(p.pk for p in teachers),
                referent_ids=frozenset({referent_person.pk} if with_referent else ()),
            ),
            by=principal,
        )
        if dane_project == "twhaiku":
            project_feature(project=project, featured=True, by=dane)
        created["projets numériques"] += 1
