"""Changes to the school's digital-education projects: each one transaction, each refusal a French message."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from recognition.models import DaneProject, Project
from rupn.lib.concurrency import VersionConflict, versioned_update
from rupn.lib.errors import DomainError
from schools.models import Person, Role, School, SchoolYear


@dataclass(frozen=True)
class ProjectInput:
    title: str
    classes: str = ""
    description: str = ""
    teacher_ids: frozenset[int] = field(default_factory=frozenset)
    other_teachers: str = ""
    referent_ids: frozenset[int] = field(default_factory=frozenset)
    dane_project: str = ""
    outcome: str = ""


def project_teacher_choices(school: School):
    """The staff who may be named among a project's teachers: the school's active staff."""
    return Person.objects.filter(school=school, is_active=True).order_by("last_name", "first_name", "pk")


def project_referent_choices(school: School, school_year: SchoolYear):
    """The school's referents for the year: holders of a mission in its plan, or with a referent account there."""
    in_plan = Person.objects.filter(plan_rows__plan__school=school, plan_rows__plan__school_year=school_year)
    with_role = Person.objects.filter(user__roles__kind=Role.Kind.REFERENT, user__roles__school=school)
    return (
        Person.objects.filter(school=school)
        .filter(Q(pk__in=in_plan.values("pk")) | Q(pk__in=with_role.values("pk")))
        .order_by("last_name", "first_name", "pk")
    )


def _check(*, school: School, school_year: SchoolYear, data: ProjectInput, keep_ids: frozenset[int] = frozenset()):
    """Refuse a title left blank, an unknown DANE project or a person from outside the school."""
    if not data.title.strip():
        raise DomainError(_("Donnez un intitulé au projet."))
    if data.dane_project and data.dane_project not in DaneProject.values:
        raise DomainError(_("Ce projet de la DANE n'existe pas."))
    # A person already named stays allowed (they may have left since): only new names are checked.
    teachers = set(project_teacher_choices(school).values_list("pk", flat=True))
    if not data.teacher_ids <= teachers | keep_ids:
        raise DomainError(_("Un enseignant choisi ne fait pas partie du personnel de l'établissement."))
    referents = set(project_referent_choices(school, school_year).values_list("pk", flat=True))
    if not data.referent_ids <= referents | keep_ids:
        raise DomainError(_("Une personne choisie n'est pas référent numérique de l'établissement cette année."))


def _fields(data: ProjectInput) -> dict:
    return {
        "title": data.title.strip(),
        "classes": data.classes.strip(),
        "description": data.description.strip(),
        "other_teachers": data.other_teachers.strip(),
        "dane_project": data.dane_project,
        "outcome": data.outcome.strip(),
    }


@transaction.atomic
def project_create(*, school: School, school_year: SchoolYear, data: ProjectInput, by) -> Project:
    """Record a project of the school for the year."""
    _check(school=school, school_year=school_year, data=data)
    project = Project.objects.create(
        school=school, school_year=school_year, **_fields(data), created_by=by, updated_by=by
    )
    project.teachers.set(sorted(data.teacher_ids))
    project.referents.set(sorted(data.referent_ids))
    return project


def _project_conflict(project: Project) -> VersionConflict:
    current = Project.objects.select_related("updated_by").filter(pk=project.pk).first()
    if current is None:
        raise DomainError(_("Ce projet a été supprimé pendant que vous le modifiiez : rien n'a été enregistré."))
    who = current.updated_by.get_full_name() if current.updated_by else None
    return VersionConflict(who=who, when=current.updated_at, version=current.version)


@transaction.atomic
def project_update(*, project: Project, expected_version: int, data: ProjectInput, by) -> Project:
    """Change a project; VersionConflict if someone saved it since expected_version (the page merges)."""
    keep = frozenset(project.teachers.values_list("pk", flat=True)) | frozenset(
        project.referents.values_list("pk", flat=True)
    )
    _check(school=project.school, school_year=project.school_year, data=data, keep_ids=keep)
    versioned_update(
        Project.objects,
        pk=project.pk,
        version=expected_version,
        conflict=lambda: _project_conflict(project),
        **_fields(data),
        updated_by=by,
        updated_at=timezone.now(),
    )
    project.refresh_from_db()
    project.teachers.set(sorted(data.teacher_ids))
    project.referents.set(sorted(data.referent_ids))
    return project


@transaction.atomic
def project_delete(*, project: Project, by) -> None:
    """Delete a project (its teachers and referents are only unlinked)."""
    deleted, _rows = Project.objects.filter(pk=project.pk).delete()
    if not deleted:
        raise DomainError(_("Ce projet a déjà été supprimé."))


@transaction.atomic
def project_feature(*, project: Project, featured: bool, by) -> Project:
    """The DANE features a project ("valoriser les usages") or stops featuring it; asking twice changes nothing."""
    updated = Project.objects.filter(pk=project.pk, featured=not featured).update(
        featured=featured,
        featured_at=timezone.now() if featured else None,
        featured_by=by if featured else None,
    )  # no version bump: featuring touches none of the fields the school edits
    if not updated and not Project.objects.filter(pk=project.pk).exists():
        raise DomainError(_("Ce projet a été supprimé."))
    project.refresh_from_db()
    return project
