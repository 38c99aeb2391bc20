"""The projects register (school and DANE pages) and the referent's record with its i-prof text."""

from functools import partial

from django.contrib import messages
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
from rupn.lib.concurrency import Current, VersionConflict, current_of, rebind, save_form_merged, stamp_form
from rupn.lib.errors import DomainError
from rupn.lib.pagination import query_without_page
from schools.access import (
    Perm,
    SchoolPage,
    academie_ids_with,
    require_academie_perm,
    school_page,
)
from schools.models import Departement, SchoolYear

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
@school_page(Perm.VIEW_PROJECTS, post=Perm.EDIT_PROJECTS)
def projects(request, page: SchoolPage):
    """The school's projects for the year; the principal and the referents record them here."""
    school, school_year = page.school, page.school_year
    can_edit = page.can(Perm.EDIT_PROJECTS)
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
            "breadcrumb_data": _breadcrumb(
                school, school_year, _("Projets numériques %(year)s") % {"year": school_year.name}
            ),
            "title": _("Projets numériques %(year)s — %(school)s") % {"year": school_year.name, "school": school.name},
        },
        status=status,
    )


def _project_of(page: SchoolPage, pk: int):
    school, school_year = page.school, page.school_year
    project = get_object_or_404(Project.objects.filter(school=school, school_year=school_year), pk=pk)
    return school, school_year, project


PROJECT_FIELDS = (
    "title",
    "classes",
    "description",
    "dane_project",
    "referents",
    "teachers",
    "other_teachers",
    "outcome",
)


def _project_initial(project: Project) -> dict:
    values = {name: getattr(project, name) for name in PROJECT_FIELDS if name not in ("referents", "teachers")}
    values["referents"] = [p.pk for p in project.referents.all()]
    values["teachers"] = [p.pk for p in project.teachers.all()]
    return values


def _project_current(form, pk: int) -> Current:
    project = Project.objects.select_related("updated_by").get(pk=pk)
    who = project.updated_by.get_full_name() if project.updated_by else None
    return current_of(
        form,
        version=project.version,
        initial=_project_initial(project),
        names=PROJECT_FIELDS,
        who=who,
        when=project.updated_at,
    )


def _project_save(request, school, school_year, project, form, salt: str):
    """Save the posted project merged onto the current version: (project, form, conflict, status), 302 when saved."""
    if not form.is_valid():
        return project, form, "", 400
    try:
        save_form_merged(
            form,
            salt=salt,
            names=PROJECT_FIELDS,
            load=lambda: _project_current(form, project.pk),
            save=lambda version: project_update(
                project=project, expected_version=version, data=form.to_input(), by=request.user
            ),
        )
    except VersionConflict as error:
        project = Project.objects.filter(pk=project.pk).first() or project
        factory = partial(_form, school, school_year, project=project)
        form, conflict = rebind(factory, error, data=request.POST, salt=salt)
        return project, form, conflict, 409
    except DomainError as error:
        form.add_error(None, error.message)
        return project, form, "", 400
    messages.success(request, _("Le projet « %(title)s » est enregistré.") % {"title": project.title})
    return project, form, "", 302


@require_http_methods(["GET", "POST"])
@school_page(Perm.EDIT_PROJECTS)
def project_edit(request, page: SchoolPage, pk: int):
    """Change a project; the second of two people saving at once has both changes kept, or chooses on a clash."""
    school, school_year, project = _project_of(page, pk)
    conflict = ""
    status = 200
    salt = f"project:{project.pk}"
    if request.method == "POST":
        form = _form(school, school_year, request.POST, project=project)
        project, form, conflict, status = _project_save(request, school, school_year, project, form, salt)
        if status == 302:
            return redirect("recognition:projects", uai=school.uai, year=school_year.name)
    else:
        form = _form(school, school_year, project=project, initial=_project_initial(project))
        stamp_form(form, salt=salt, version=project.version, names=PROJECT_FIELDS)
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
@school_page(Perm.EDIT_PROJECTS)
def project_delete_view(request, page: SchoolPage, pk: int):
    """Ask, then delete a project."""
    school, school_year, project = _project_of(page, pk)
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


def _project_csv_header() -> list[str]:
    return [
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


def _project_csv_row(project, filters) -> list[str]:
    """One project as a CSV line (csvfiles guards every text cell against formulas)."""
    return [
        filters.year.name,
        project.school.departement.code,
        project.school.uai,
        project.school.name,
        project.title,
        project.classes,
        project.get_dane_project_display(),
        ", ".join(p.full_name for p in project.referents.all()),
        _("oui") if project.featured else _("non"),
        project.outcome,
    ]


@require_GET
def dane_projects_csv(request):
    """The filtered list as a CSV file that Excel opens in French."""
    academie_ids = require_academie_perm(request.user, Perm.VIEW_PROJECTS)
    _form, filters = _dane_filters(request, academie_ids)
    rows = (_project_csv_row(project, filters) for project in academie_projects(academie_ids, filters))
    return csvfiles.csv_response(f"projets-{filters.year.name}.csv", _project_csv_header(), rows)


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
