"""Home, school page and staff list: thin views over the access layer and services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rupn.lib.csvfiles import CsvFileError
from rupn.lib.errors import ConflictError, DomainError
from rupn.lib.formats import of
from rupn.lib.pagination import paged_title
from schools.access import Perm, dane_academies, get_school_or_404, user_scopes
from schools.directory_import import FORMAT_LABELS, SKIP_REASONS
from schools.forms import DirectoryImportForm, LoginForm, PersonForm, SchoolSearchForm, StaffImportForm
from schools.models import Person, School
from schools.services import person_create, person_update, school_directory_import, staff_import


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": _("Connexion")}


def home(request):
    """A user with one school lands on it; others get the list of the schools they see."""
    scopes = user_scopes(request.user)
    if len(scopes.school_roles) == 1 and not scopes.academie_roles and not scopes.collectivity_ids:
        school = School.objects.filter(pk__in=list(scopes.school_roles)).only("uai").first()
        if school:
            return redirect("schools:detail", uai=school.uai)
    form = SchoolSearchForm(request.GET or None)
    schools = (
        School.objects.visible_to(request.user).select_related("departement", "collectivity").order_by("name", "uai")
    )
    if form.is_valid() and form.cleaned_data["q"]:
        schools = schools.search(form.cleaned_data["q"])
    page = Paginator(schools, 25).get_page(request.GET.get("page"))
    query = request.GET.get("q", "")
    title = _("Mes établissements")
    if query:
        title = _("Recherche « %(query)s » – %(title)s") % {"query": query, "title": title}
    title = paged_title(title, page)
    return render(
        request,
        "schools/home.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "query_string": urlencode({"q": query}) if query else "",
            "is_dane": any("dane" in kinds for kinds in scopes.academie_roles.values()),
            "is_collectivity": bool(scopes.collectivity_ids),
            "title": title,
        },
    )


def _staff_breadcrumb(school, current: str, *, with_list: bool = False) -> dict:
    links = [{"url": reverse("schools:detail", args=[school.uai]), "title": school.name}]
    if with_list:
        links.append({"url": reverse("schools:staff", args=[school.uai]), "title": _("Personnels")})
    return {"links": links, "current": current}


@require_http_methods(["GET", "POST"])
def staff_list(request, uai: str):
    school = get_school_or_404(request.user, uai, perm=Perm.MANAGE_STAFF)
    person_form = PersonForm(initial={"is_active": True})
    import_form = StaffImportForm()
    import_errors: list[str] = []
    status = 200
    if request.method == "POST" and request.POST.get("action") == "import":
        import_form = StaffImportForm(request.POST, request.FILES)
        if import_form.is_valid():
            upload = import_form.cleaned_data["file"]
            try:
                result = staff_import(school=school, data=upload.read(1_000_001), by=request.user)
            except CsvFileError as error:
                import_errors = error.errors
                status = 400
            else:
                messages.success(
                    request,
                    _("Import terminé : %(created)d ajout(s), %(updated)d mise(s) à jour, %(unchanged)d inchangé(s).")
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                )
                return redirect(request.path)
        else:
            status = 400
    elif request.method == "POST":
        person_form = PersonForm(request.POST)
        if person_form.is_valid():
            data = person_form.cleaned_data
            try:
                person = person_create(
                    school=school,
                    last_name=data["last_name"],
                    first_name=data["first_name"],
                    email=data["email"],
                    status=data["status"],
                    full_service_cpge=data["full_service_cpge"],
                    leaving=data["leaving"],
                    by=request.user,
                )
            except DomainError as error:
                person_form.add_error("email", error.message)
                status = 400
            else:
                messages.success(request, _("%(name)s est ajouté(e) au personnel.") % {"name": person.full_name})
                return redirect(request.path)
        else:
            status = 400
    staff = Person.objects.filter(school=school).order_by("-is_active", "last_name", "first_name", "pk")
    return render(
        request,
        "schools/staff_list.html",
        {
            "school": school,
            "staff": staff,
            "person_form": person_form,
            "import_form": import_form,
            "import_errors": import_errors,
            "breadcrumb_data": _staff_breadcrumb(school, _("Personnels")),
            "title": _("Personnels – %(school)s") % {"school": school.name},
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def person_edit(request, uai: str, pk: int):
    school = get_school_or_404(request.user, uai, perm=Perm.MANAGE_STAFF)
    person = get_object_or_404(Person.objects.filter(school=school), pk=pk)
    status = 200
    conflict = ""
    if request.method == "POST":
        form = PersonForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                person_update(
                    person=person,
                    expected_version=data["version"] or 0,
                    last_name=data["last_name"],
                    first_name=data["first_name"],
                    email=data["email"],
                    status=data["status"],
                    full_service_cpge=data["full_service_cpge"],
                    leaving=data["leaving"],
                    is_active=data["is_active"],
                    by=request.user,
                )
            except ConflictError as error:
                conflict = error.message
                person.refresh_from_db()
                data = request.POST.copy()
                data["version"] = str(person.version)
                form = PersonForm(data)
                form.is_valid()
                status = 409
            except DomainError as error:
                form.add_error("email", error.message)
                status = 400
            else:
                messages.success(
                    request, _("La fiche %(of_name)s est enregistrée.") % {"of_name": of(data["first_name"])}
                )
                return redirect("schools:staff", uai=school.uai)
        else:
            status = 400
    else:
        form = PersonForm(
            initial={
                "version": person.version,
                "last_name": person.last_name,
                "first_name": person.first_name,
                "email": person.email,
                "status": person.status,
                "full_service_cpge": person.full_service_cpge,
                "leaving": person.leaving,
                "is_active": person.is_active,
            }
        )
    return render(
        request,
        "schools/person_form.html",
        {
            "school": school,
            "person": person,
            "form": form,
            "conflict": conflict,
            "breadcrumb_data": _staff_breadcrumb(school, person.full_name, with_list=True),
            "title": _("%(name)s – Personnels – %(school)s") % {"name": person.full_name, "school": school.name},
        },
        status=status,
    )


MAX_DIRECTORY_BYTES = 50 * 1024 * 1024


@require_http_methods(["GET", "POST"])
def directory_import(request):
    """The DANE loads its académie's schools from the ministry's directory export."""
    academies = dane_academies(request.user)
    form = DirectoryImportForm(initial={"academie": academies.first()}, academies=academies)
    error = ""
    result = None
    status = 200
    if request.method == "POST":
        form = DirectoryImportForm(request.POST, request.FILES, academies=academies)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            academie = form.cleaned_data["academie"]
            if upload.size > MAX_DIRECTORY_BYTES:
                form.add_error("file", _("Le fichier dépasse 50 Mo : exportez seulement votre académie."))
                status = 400
            else:
                try:
                    result = school_directory_import(
                        stream=upload,  # read line by line, never whole
                        academie_code=academie.code,
                        full_academie=form.cleaned_data["full_academie"],
                        with_private=form.cleaned_data["with_private"],
                        by=request.user,
                    )
                except DomainError as refused:
                    error = refused.message
                    status = 400
        else:
            status = 400
    return render(
        request,
        "schools/directory_import.html",
        {
            "form": form,
            "error": error,
            "result": result,
            "format_label": FORMAT_LABELS.get(result.format, "") if result else "",
            "skipped": [(SKIP_REASONS[k], v) for k, v in sorted(result.skipped_reasons.items())] if result else [],
            "breadcrumb_data": {"links": [], "current": _("Import des établissements")},
            "title": _("Import des établissements depuis l'annuaire"),
        },
        status=status,
    )
