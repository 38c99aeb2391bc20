"""Home, school page and staff list: thin views over the access layer and services."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from rupn.lib.concurrency import Current, VersionConflict, current_of, rebind, save_form_merged, stamp_form
from rupn.lib.csvfiles import CsvFileError
from rupn.lib.errors import DomainError
from rupn.lib.pagination import paged_title
from schools.access import (
    Perm,
    SchoolPage,
    academie_ids_with,
    academies_with,
    school_page,
    user_scopes,
)
from schools.directory_import import FORMAT_LABELS, SKIP_REASONS
from schools.forms import DirectoryImportForm, LoginForm, PersonForm, SchoolSearchForm, StaffImportForm, StsImportForm
from schools.models import Person, School
from schools.services import person_create, person_update, school_directory_import, staff_import

# The sample STS-web export shipped for the tests, made for the demo's school: the demo's staff page points to it.
STS_SAMPLE_UAI = "0211526V"  # the demo's Collège Montchapet (schools.demo.DEMO_SCHOOL)
STS_SAMPLE = f"tests/schools/data/sts_emp_{STS_SAMPLE_UAI}_2026.xml"


@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")  # before the signed-in redirect
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    http_method_names = ["get", "post"]
    extra_context = {"title": _("Connexion")}


@require_GET
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
            "is_dane": bool(academie_ids_with(request.user, Perm.IMPORT_DIRECTORY)),
            "is_collectivity": bool(scopes.collectivity_ids),
            "title": title,
        },
    )


def _staff_breadcrumb(school, current: str, *, with_list: bool = False) -> dict:
    links = [{"url": reverse("schools:detail", args=[school.uai]), "title": school.name}]
    if with_list:
        links.append({"url": reverse("schools:staff", args=[school.uai]), "title": _("Personnels")})
    return {"links": links, "current": current}


NEW_PERSON_FIELDS = ("last_name", "first_name", "email", "status", "full_service_cpge", "leaving")


def _staff_import(request, school, forms) -> tuple[list[str], int]:
    """The "import" action: load the staff CSV; (errors, status), status 302 when imported."""
    forms["import_form"] = StaffImportForm(request.POST, request.FILES)
    if not forms["import_form"].is_valid():
        return [], 400
    upload = forms["import_form"].cleaned_data["file"]
    try:
        result = staff_import(school=school, data=upload.read(1_000_001), by=request.user)
    except CsvFileError as error:
        return error.errors, 400
    messages.success(
        request,
        _("Import terminé : %(created)d ajout(s), %(updated)d mise(s) à jour, %(unchanged)d inchangé(s).")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    return [], 302


def _staff_add(request, school, forms) -> tuple[list[str], int]:
    """Any other POST: add one person; ([], status), status 302 when added."""
    form = forms["person_form"] = PersonForm(request.POST)
    if not form.is_valid():
        return [], 400
    try:
        person = person_create(
            school=school, **{name: form.cleaned_data[name] for name in NEW_PERSON_FIELDS}, by=request.user
        )
    except DomainError as error:
        form.add_error("email", error.message)
        return [], 400
    messages.success(request, _("%(name)s est ajouté(e) au personnel.") % {"name": person.full_name})
    return [], 302


PERSON_FIELDS = ("last_name", "first_name", "email", "status", "full_service_cpge", "leaving", "is_active")


def _person_current(form, pk: int) -> Current:
    person = Person.objects.get(pk=pk)
    return current_of(form, version=person.version, initial=_person_initial(person), names=PERSON_FIELDS)


def _person_initial(person: Person) -> dict:
    return {name: getattr(person, name) for name in PERSON_FIELDS}


@never_cache  # personal data: never kept by a browser or a proxy (Cache-Control: no-store)
@require_http_methods(["GET", "POST"])
@school_page(Perm.MANAGE_STAFF)
def staff_list(request, page: SchoolPage):
    """The school's staff: add one person, or import the staff CSV (the submit's "action" is "import")."""
    school = page.school
    forms = {"person_form": PersonForm(initial={"is_active": True}), "import_form": StaffImportForm()}
    import_errors, status = [], 200
    if request.method == "POST":
        post = _staff_import if request.POST.get("action") == "import" else _staff_add
        import_errors, status = post(request, school, forms)
        if status == 302:
            return redirect(request.path)
    staff = Person.objects.filter(school=school).order_by("-is_active", "last_name", "first_name", "pk")
    context = {
        "school": school,
        "staff": staff,
        **forms,
        "import_errors": import_errors,
        "sts_form": StsImportForm(),
        "sts_sample": STS_SAMPLE if settings.DEBUG and school.uai == STS_SAMPLE_UAI else "",
        "breadcrumb_data": _staff_breadcrumb(school, _("Personnels")),
        "title": _("Personnels – %(school)s") % {"school": school.name},
    }
    return render(request, "schools/staff_list.html", context, status=status)


def _person_save(request, person, form, salt: str) -> tuple[PersonForm, str, int]:
    """Save the posted person, merged onto the current version: (form, conflict, status), 302 when saved."""
    if not form.is_valid():
        return form, "", 400
    data = form.cleaned_data
    try:
        save_form_merged(
            form,
            salt=salt,
            names=PERSON_FIELDS,
            load=lambda: _person_current(form, person.pk),
            save=lambda version: person_update(
                person=person, expected_version=version, **{name: data[name] for name in PERSON_FIELDS}, by=request.user
            ),
        )
    except VersionConflict as error:
        form, conflict = rebind(PersonForm, error, data=request.POST, salt=salt)
        return form, conflict, 409
    except DomainError as error:
        form.add_error("email", error.message)
        return form, "", 400
    messages.success(request, _("La fiche de %(name)s est enregistrée.") % {"name": data["first_name"]})
    return form, "", 302


@never_cache  # personal data: never kept by a browser or a proxy (Cache-Control: no-store)
@require_http_methods(["GET", "POST"])
@school_page(Perm.MANAGE_STAFF)
def person_edit(request, page: SchoolPage, pk: int):
    school = page.school
    person = get_object_or_404(Person.objects.filter(school=school), pk=pk)
    status = 200
    conflict = ""
    salt = f"person:{person.pk}"
    if request.method == "POST":
        form, conflict, status = _person_save(request, person, PersonForm(request.POST), salt)
        if status == 302:
            return redirect("schools:staff", uai=school.uai)
    else:
        form = stamp_form(
            PersonForm(initial=_person_initial(person)), salt=salt, version=person.version, names=PERSON_FIELDS
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


def _directory_run(request, form):
    """Import the posted directory file: (result, error, status)."""
    if not form.is_valid():
        return None, "", 400
    upload = form.cleaned_data["file"]
    if upload.size > MAX_DIRECTORY_BYTES:
        form.add_error("file", _("Le fichier dépasse 50 Mo : exportez seulement votre académie."))
        return None, "", 400
    try:
        result = school_directory_import(
            stream=upload,  # read line by line, never whole
            academie_code=form.cleaned_data["academie"].code,
            full_academie=form.cleaned_data["full_academie"],
            with_private=form.cleaned_data["with_private"],
            by=request.user,
        )
    except DomainError as refused:
        return None, refused.message, 400
    return result, "", 200


@require_http_methods(["GET", "POST"])
def directory_import(request):
    """The DANE loads its académie's schools from the ministry's directory export."""
    academies = academies_with(request.user, Perm.IMPORT_DIRECTORY)
    form = DirectoryImportForm(initial={"academie": academies.first()}, academies=academies)
    error = ""
    result = None
    status = 200
    if request.method == "POST":
        form = DirectoryImportForm(request.POST, request.FILES, academies=academies)
        result, error, status = _directory_run(request, form)
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
