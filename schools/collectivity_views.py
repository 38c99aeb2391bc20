"""The collectivité's pages: its schools, the actions it authorizes, its procedure sheets, the equipment requests.

Every page takes the collectivité from schools.access.get_collectivity_or_404: another collectivité is a 404.
"""

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rupn.lib.errors import ConflictError, DomainError
from rupn.lib.forms import object_id
from schools.access import (
    Perm,
    SchoolPage,
    get_collectivity_or_404,
    school_page,
    school_perms,
    user_collectivities,
)
from schools.forms import AuthorizedActionForm, EquipmentAnswerForm, ProcedureSheetForm
from schools.models import AuthorizedAction, EquipmentRequest, ProcedureSheet, SchoolYear
from schools.selectors import (
    collectivity_actions,
    collectivity_equipment_requests,
    collectivity_schools,
    collectivity_summary,
    school_year_or_404,
)
from schools.services import (
    authorized_action_add,
    authorized_action_delete,
    equipment_request_answer,
    procedure_sheet_delete,
    procedure_sheet_upload,
    procedure_sheet_validate,
)


def _years() -> list[SchoolYear]:
    return [SchoolYear.current(), SchoolYear.next()]


def _breadcrumb(collectivity, current: str | None = None) -> dict:
    if current is None:
        return {"links": [], "current": collectivity.name}
    return {
        "links": [
            {"url": reverse("schools:collectivity_detail", args=[collectivity.code]), "title": collectivity.name}
        ],
        "current": current,
    }


@require_GET
def collectivity_home(request):
    """A collectivité's staff lands on its page; someone working for several chooses."""
    collectivities = list(user_collectivities(request.user))
    if len(collectivities) == 1:
        return redirect("schools:collectivity_detail", code=collectivities[0].code)
    return render(
        request,
        "schools/collectivity_list.html",
        {
            "collectivities": collectivities,
            "breadcrumb_data": {"links": [], "current": _("Collectivités")},
            "title": _("Mes collectivités"),
        },
    )


@require_GET
def collectivity_detail(request, code: str):
    collectivity = get_collectivity_or_404(request.user, code)
    years = _years()
    return render(
        request,
        "schools/collectivity_detail.html",
        {
            "collectivity": collectivity,
            "schools": collectivity_schools(collectivity),
            "years": [{"year": year, "summary": collectivity_summary(collectivity, year)} for year in years],
            "breadcrumb_data": _breadcrumb(collectivity),
            "title": collectivity.name,
        },
    )


def _post_sheet(request, sheet_form) -> bool:
    """A procedure sheet uploaded for one of the year's actions; True once saved."""
    if not sheet_form.is_valid():
        return False
    data = sheet_form.cleaned_data
    try:
        procedure_sheet_upload(action=data["action"], title=data["title"], upload=data["file"], by=request.user)
    except DomainError as error:
        sheet_form.add_error("file", error.message)
        return False
    messages.success(request, _("La fiche est déposée ; validez-la pour que les référents la voient."))
    return True


def _post_action(request, action_form, collectivity, school_year) -> bool:
    """An action authorized for the year (for every school or one); True once published."""
    if not action_form.is_valid():
        return False
    data = action_form.cleaned_data
    fields = ("action", "other_label", "school", "convention_reference", "convention_date")
    try:
        authorized_action_add(
            collectivity=collectivity, school_year=school_year, by=request.user, **{name: data[name] for name in fields}
        )
    except DomainError as error:
        action_form.add_error(None, error.message)
        return False
    messages.success(request, _("L'action autorisée est publiée."))
    return True


@require_http_methods(["GET", "POST"])
def collectivity_actions_page(request, code: str, year: str):
    """The actions authorized for the year, their procedure sheets, and the forms to add both."""
    collectivity = get_collectivity_or_404(request.user, code)
    school_year = school_year_or_404(year)
    schools = collectivity_schools(collectivity).filter(is_active=True)
    actions_qs = AuthorizedAction.objects.filter(collectivity=collectivity, school_year=school_year).select_related(
        "school"
    )
    data = request.POST if request.method == "POST" else None
    posted = request.POST.get("form") == "sheet" if data is not None else None
    action_form = AuthorizedActionForm(data if posted is False else None, schools=schools, prefix="action")
    sheet_form = ProcedureSheetForm(
        data if posted else None, request.FILES if posted else None, actions=actions_qs, prefix="sheet"
    )
    if posted is not None:
        saved = (
            _post_sheet(request, sheet_form)
            if posted
            else _post_action(request, action_form, collectivity, school_year)
        )
        if saved:
            return redirect(request.path)
    context = {
        "collectivity": collectivity,
        "school_year": school_year,
        "years": _years(),
        "actions": collectivity_actions(collectivity, school_year),
        "action_form": action_form,
        "sheet_form": sheet_form,
        "breadcrumb_data": _breadcrumb(collectivity, _("Actions autorisées %(year)s") % {"year": school_year.name}),
        "title": _("Actions autorisées %(year)s — %(name)s") % {"year": school_year.name, "name": collectivity.name},
    }
    return render(request, "schools/collectivity_actions.html", context, status=200 if posted is None else 400)


def _actions_url(action: AuthorizedAction) -> str:
    return reverse("schools:collectivity_actions", args=[action.collectivity.code, action.school_year.name])


@require_POST
def collectivity_action_delete(request, code: str, pk: int):
    collectivity = get_collectivity_or_404(request.user, code)
    action = get_object_or_404(
        AuthorizedAction.objects.filter(collectivity=collectivity).select_related("collectivity", "school_year"), pk=pk
    )
    url = _actions_url(action)
    authorized_action_delete(action=action, by=request.user)
    messages.success(request, _("L'autorisation « %(label)s » est retirée.") % {"label": action.label})
    return redirect(url)


def _sheet_of(collectivity, pk: int) -> ProcedureSheet:
    return get_object_or_404(
        ProcedureSheet.objects.filter(action__collectivity=collectivity).select_related(
            "action__collectivity", "action__school_year"
        ),
        pk=pk,
    )


@require_POST
def procedure_sheet_validate_view(request, code: str, pk: int):
    sheet = _sheet_of(get_collectivity_or_404(request.user, code), pk)
    procedure_sheet_validate(sheet=sheet, by=request.user)
    messages.success(request, _("La fiche « %(title)s » est validée.") % {"title": sheet.title})
    return redirect(_actions_url(sheet.action))


@require_POST
def procedure_sheet_delete_view(request, code: str, pk: int):
    sheet = _sheet_of(get_collectivity_or_404(request.user, code), pk)
    url = _actions_url(sheet.action)
    procedure_sheet_delete(sheet=sheet, by=request.user)
    messages.success(request, _("La fiche « %(title)s » est supprimée.") % {"title": sheet.title})
    return redirect(url)


def _pdf_response(sheet: ProcedureSheet) -> FileResponse:
    try:
        handle = sheet.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("Le fichier de cette fiche est introuvable.")) from error
    response = FileResponse(handle, as_attachment=True, filename=sheet.original_name, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def procedure_sheet_download(request, code: str, pk: int):
    """The collectivité's own copy of a sheet, validated or not."""
    return _pdf_response(_sheet_of(get_collectivity_or_404(request.user, code), pk))


@require_GET
@school_page(Perm.VIEW_PROCEDURES)
def school_procedure_sheet(request, page: SchoolPage, pk: int):
    """A validated sheet of an action authorized for this school, for its principal and referents."""
    school = page.school
    sheet = get_object_or_404(
        ProcedureSheet.objects.filter(validated=True, action__collectivity_id=school.collectivity_id).filter(
            Q(action__school__isnull=True) | Q(action__school=school)
        ),
        pk=pk,
    )
    return _pdf_response(sheet)


def _answer(request, collectivity, school_year):
    """POST: the answer to one request of the year; a redirect once saved, else the request and its bound form."""
    equipment = get_object_or_404(
        EquipmentRequest.objects.filter(school__collectivity=collectivity, school_year=school_year).exclude(
            state=EquipmentRequest.State.DRAFT
        ),
        pk=object_id(request.POST.get("request")) or 0,
    )
    form = EquipmentAnswerForm(request.POST, prefix=f"answer-{equipment.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            equipment_request_answer(request=equipment, state=data["state"], comment=data["comment"], by=request.user)
        except ConflictError as error:  # answered meanwhile, or not answerable any more
            messages.error(request, error.message)
        except DomainError as error:
            form.add_error("comment", error.message)
        else:
            messages.success(
                request,
                _("Réponse enregistrée pour « %(item)s » (%(school)s).")
                % {"item": equipment.item, "school": equipment.school.name},
            )
            return redirect(request.path)
    return equipment.pk, form


@require_http_methods(["GET", "POST"])
def collectivity_equipment(request, code: str, year: str):
    """The equipment requests its schools sent for the year, in their priority order, each with its answer form."""
    collectivity = get_collectivity_or_404(request.user, code)
    school_year = school_year_or_404(year)
    failed_pk, failed_form = None, None
    if request.method == "POST":
        answered = _answer(request, collectivity, school_year)
        if not isinstance(answered, tuple):
            return answered
        failed_pk, failed_form = answered
    requests = collectivity_equipment_requests(collectivity, school_year)
    for item in requests:
        item.can = item.abilities(school_perms(request.user, item.school))
        item.answer_form = (
            failed_form
            if item.pk == failed_pk
            else EquipmentAnswerForm(prefix=f"answer-{item.pk}", initial={"state": item.next_answer})
        )
    context = {
        "collectivity": collectivity,
        "school_year": school_year,
        "years": _years(),
        "requests": requests,
        "breadcrumb_data": _breadcrumb(collectivity, _("Demandes d'équipement %(year)s") % {"year": school_year.name}),
        "title": _("Demandes d'équipement %(year)s — %(name)s") % {"year": school_year.name, "name": collectivity.name},
    }
    return render(request, "schools/collectivity_equipment.html", context, status=200 if failed_form is None else 400)
