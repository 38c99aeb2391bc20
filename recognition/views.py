"""The projects register (school and DANE pages) and the referent's record with its i-prof text."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recognition.forms import ProjectFilterForm, ProjectForm
from recognition.iprof import iprof_text
from recognition.models import Project
from recognition.selectors import ProjectFilters, academie_projects, referent_record, school_projects
from recognition.services import (
    project_create,
    project_delete,
    project_feature,
    project_referent_choices,
    project_teacher_choices,
    project_update,
)
from rupn.lib import csvfiles
from rupn.lib.errors import ConflictError, DomainError
from rupn.lib.pagination import query_without_page
from schools.access import Perm, academie_ids_with, get_school_or_404, require_academie_perm, school_perms
from schools.models import Departement, SchoolYear
from schools.selectors import school_year_or_404

PAGE_SIZE = 50


def _breadcrumb(school, school_year, current: str, *, with_list: bool = False) -> dict:
    links = [{"url": reverse("schools:detail", args=[school.uai]), "title": school.name}]
    if with_list:
        links.append(
            {
                "url": reverse("recognition:projects", args=[school.uai, school_year.name]),
                "title": _("Projets numériques %(year)s") % {"year": school_year.name},
            }
        )
    return {"links": links, "current": current}


def _form(school, school_year, *args, project=None, **kwargs) -> ProjectForm:
    """The project form; people already named on the project stay choosable even if they left since."""
    teachers = list(project_teacher_choices(school))
    referents = list(project_referent_choices(school, school_year))
    if project is not None:
        for chosen, named in ((teachers, project.teachers.all()), (referents, project.referents.all())):
            known = {p.pk for p in chosen}
            chosen += [p for p in named if p.pk not in known]
    return ProjectForm(*args, teachers=teachers, referents=referents, **kwargs)


@require_http_methods(["GET", "POST"])
def projects(request, uai: str, year: str):
    """The school's projects for the year; the principal and the referents record them here."""
    school = get_school_or_404(request.user, uai, perm=Perm.VIEW_PROJECTS)
    school_year = school_year_or_404(year)
    can_edit = Perm.EDIT_PROJECTS in school_perms(request.user, school)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = _form(school, school_year, request.POST if request.method == "POST" else None) if can_edit else None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                project = project_create(school=school, school_year=school_year, data=form.to_input(), by=request.user)
            except DomainError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("Le projet « %(title)s » est enregistré.") % {"title": project.title})
                return redirect(request.path)
        else:
            status = 400
    items = school_projects(school, school_year)
    return render(
        request,
        "recognition/projects.html",
        {
            "school": school,
            "school_year": school_year,
            "projects": items,
            "without_referent": sum(1 for p in items if not p.referents.all()),
            "can_edit": can_edit,
            "form": form,
            "breadcrumb_data": _breadcrumb(school, school_year, _("Projets numériques %(year)s") % {"year": year}),
            "title": _("Projets numériques %(year)s — %(school)s") % {"year": school_year.name, "school": school.name},
        },
        status=status,
    )


def _project_of(request, uai: str, year: str, pk: int):
    school = get_school_or_404(request.user, uai, perm=Perm.EDIT_PROJECTS)
    school_year = school_year_or_404(year)
    project = get_object_or_404(Project.objects.filter(school=school, school_year=school_year), pk=pk)
    return school, school_year, project


@require_http_methods(["GET", "POST"])
def project_edit(request, uai: str, year: str, pk: int):
    """Change a project; the second of two people saving at once is told and keeps what they typed."""
    school, school_year, project = _project_of(request, uai, year, pk)
    conflict = ""
    status = 200
    if request.method == "POST":
        form = _form(school, school_year, request.POST, project=project)
        if form.is_valid():
            try:
                project_update(
                    project=project,
                    expected_version=form.cleaned_data["version"] or 0,
                    data=form.to_input(),
                    by=request.user,
                )
            except ConflictError as error:
                conflict = error.message
                project = Project.objects.filter(pk=project.pk).first() or project
                posted = request.POST.copy()
                posted["version"] = str(project.version)
                form = _form(school, school_year, posted, project=project)
                form.is_valid()
                status = 409
            except DomainError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("Le projet « %(title)s » est enregistré.") % {"title": project.title})
                return redirect("recognition:projects", uai=school.uai, year=school_year.name)
        else:
            status = 400
    else:
        form = _form(
            school,
            school_year,
            project=project,
            initial={
                "version": project.version,
                "title": project.title,
                "classes": project.classes,
                "description": project.description,
                "dane_project": project.dane_project,
                "referents": [p.pk for p in project.referents.all()],
                "teachers": [p.pk for p in project.teachers.all()],
                "other_teachers": project.other_teachers,
                "outcome": project.outcome,
            },
        )
    return render(
        request,
        "recognition/project_form.html",
        {
            "school": school,
            "school_year": school_year,
            "project": project,
            "form": form,
            "conflict": conflict,
            "breadcrumb_data": _breadcrumb(school, school_year, project.title, with_list=True),
            "title": _("Modifier le projet « %(title)s »") % {"title": project.title},
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def project_delete_view(request, uai: str, year: str, pk: int):
    """Ask, then delete a project."""
    school, school_year, project = _project_of(request, uai, year, pk)
    if request.method == "POST":
        try:
            project_delete(project=project, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Le projet « %(title)s » est supprimé.") % {"title": project.title})
        return redirect("recognition:projects", uai=school.uai, year=school_year.name)
    return render(
        request,
        "recognition/project_delete.html",
        {
            "school": school,
            "school_year": school_year,
            "project": project,
            "breadcrumb_data": _breadcrumb(school, school_year, _("Supprimer un projet"), with_list=True),
            "title": _("Supprimer le projet « %(title)s »") % {"title": project.title},
        },
    )


def _dane_filters(request, academie_ids):
    """The filter form and the filters it holds (invalid values are ignored: the list shows everything)."""
    current = SchoolYear.current()
    years = list(SchoolYear.objects.filter(start_year__lte=current.start_year + 1).order_by("-start_year"))
    departements = list(Departement.objects.filter(academie_id__in=academie_ids).order_by("code"))
    query = request.GET.copy()
    if not query.get("annee"):
        query["annee"] = current.name  # the select shows the year the list shows
    form = ProjectFilterForm(query, years=years, departements=departements)
    data = form.cleaned_data if form.is_valid() else {}
    wanted = SchoolYear.parse_name(data.get("annee") or "")
    year = next((y for y in years if y.start_year == wanted), current)
    filters = ProjectFilters(
        year=year,
        departement=data.get("departement") or "",
        dane_project=data.get("projet") or "",
        featured={"oui": True, "non": False}.get(data.get("valorise") or ""),
        without_referent=bool(data.get("sans_referent")),
        text=(data.get("q") or "").strip(),
    )
    return form, filters


@require_GET
def dane_projects(request):
    """The académie's projects, filtered from the URL; the DANE features them ("valoriser les usages")."""
    academie_ids = require_academie_perm(request.user, Perm.VIEW_PROJECTS)
    form, filters = _dane_filters(request, academie_ids)
    page = Paginator(academie_projects(academie_ids, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = query_without_page(request)
    return render(
        request,
        "recognition/dane_projects.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "query": query,
            "back": request.get_full_path(),
            "can_feature": bool(academie_ids_with(request.user, Perm.FEATURE_PROJECTS)),
            "title": _("Projets numériques de l'académie %(year)s") % {"year": filters.year.name},
            "breadcrumb_data": {"links": [], "current": _("Projets de l'académie")},
        },
    )


@require_GET
def dane_projects_csv(request):
    """The filtered list as a CSV file that Excel opens in French."""
    academie_ids = require_academie_perm(request.user, Perm.VIEW_PROJECTS)
    _form, filters = _dane_filters(request, academie_ids)
    header = [
        _("année"),
        _("département"),
        _("uai"),
        _("établissement"),
        _("projet"),
        _("classes"),
        _("projet de la DANE"),
        _("référents associés"),
        _("valorisé"),
        _("bilan"),
    ]
    rows = (
        [
            filters.year.name,
            project.school.departement.code,
            project.school.uai,
            project.school.name,
            project.title,
            project.classes,
            project.get_dane_project_display(),
            ", ".join(p.full_name for p in project.referents.all()),
            project.featured,
            project.outcome,
        ]
        for project in academie_projects(academie_ids, filters)
    )
    return csvfiles.csv_response(f"projets-{filters.year.name}.csv", header, rows)


@require_POST
def project_feature_view(request, pk: int):
    """The DANE features a project of its académie, or stops featuring it."""
    academie_ids = require_academie_perm(request.user, Perm.FEATURE_PROJECTS)
    project = get_object_or_404(Project.objects.filter(school__departement__academie_id__in=academie_ids), pk=pk)
    featured = request.POST.get("featured") == "1"
    try:
        project_feature(project=project, featured=featured, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            (
                _("Le projet « %(title)s » est valorisé.")
                if featured
                else _("Le projet « %(title)s » n'est plus valorisé.")
            )
            % {"title": project.title},
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith("/"):
        back = reverse("recognition:dane_projects")
    return redirect(back)


@require_GET
def my_record(request):
    """The signed-in person's record year by year, and the i-prof text built from it."""
    record = referent_record(request.user)
    return render(
        request,
        "recognition/my_record.html",
        {
            "record": record,
            "iprof": iprof_text(record.holdings),
            "title": _("Mon parcours de référent numérique"),
            "breadcrumb_data": {"links": [], "current": _("Mon parcours")},
        },
    )
