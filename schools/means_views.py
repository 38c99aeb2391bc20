"""The school's side of its means and equipment: the means given to the referents, the equipment requests."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rupn.lib.concurrency import Current, FormSave, current_of, form_save, stamp_form
from rupn.lib.errors import DomainError
from rupn.lib.forms import object_id
from schools.access import Perm, SchoolPage, school_page
from schools.forms import EquipmentEditForm, EquipmentRequestForm, MeansForm
from schools.models import EquipmentRequest, SchoolMeans
from schools.selectors import school_equipment_requests, school_means
from schools.services import (
    equipment_request_add,
    equipment_request_delete,
    equipment_request_move,
    equipment_request_update,
    equipment_requests_send,
    means_save,
)


def _breadcrumb(school, current: str, *, equipment_year=None) -> dict:
    links = [{"url": reverse("schools:detail", args=[school.uai]), "title": school.name}]
    if equipment_year is not None:
        links.append(
            {
                "url": reverse("schools:equipment", args=[school.uai, equipment_year.name]),
                "title": _("Demandes d'équipement %(year)s") % {"year": equipment_year.name},
            }
        )
    return {"links": links, "current": current}


MEANS_FIELDS = (*SchoolMeans.ITEMS, "ticket_server_url", "details")


def _means_initial(means: SchoolMeans | None) -> dict:
    if means is None:
        return {}
    return {name: getattr(means, name) for name in MEANS_FIELDS}


def _means_current(form, school, school_year) -> Current:
    means = school_means(school, school_year)
    who = means.updated_by.get_full_name() if means and means.updated_by else None
    return current_of(
        form,
        version=means.version if means else 1,
        initial=_means_initial(means),
        names=MEANS_FIELDS,
        who=who,
        when=means.updated_at if means else None,
    )


@require_http_methods(["GET", "POST"])
@school_page(Perm.VIEW_SCHOOL, post=Perm.EDIT_MEANS)
def means(request, page: SchoolPage):
    """The means given to the referents for the year: the principal records them, the others read them."""
    school, school_year = page.school, page.school_year
    current = school_means(school, school_year)
    salt = f"means:{school.pk}:{school_year.pk}"
    outcome = FormSave(form=None, conflict="", status=200)
    if request.method == "POST":
        outcome = form_save(
            MeansForm,
            request.POST,
            salt=salt,
            names=MEANS_FIELDS,
            load=lambda form: _means_current(form, school, school_year),
            save=lambda version, data: means_save(
                school=school,
                school_year=school_year,
                expected_version=version,
                **{name: data[name] for name in MEANS_FIELDS},
                by=request.user,
            ),
            error_field="ticket_server_url",
        )
        if outcome.saved:
            messages.success(request, _("Les moyens donnés aux référents sont enregistrés."))
            return redirect(request.path)
        current = school_means(school, school_year) if outcome.status == 409 else current
    elif page.can(Perm.EDIT_MEANS):
        outcome.form = MeansForm(initial=_means_initial(current))
        stamp_form(outcome.form, salt=salt, version=current.version if current else 1, names=MEANS_FIELDS)
    context = {
        "school": school,
        "school_year": school_year,
        "means": current,
        "form": outcome.form,
        "conflict": outcome.conflict,
        "breadcrumb_data": _breadcrumb(school, _("Moyens des référents %(year)s") % {"year": school_year.name}),
        "title": _("Moyens donnés aux référents %(year)s — %(school)s")
        % {"year": school_year.name, "school": school.name},
    }
    return render(request, "schools/means.html", context, status=outcome.status)


def _request_of(school, school_year, pk) -> EquipmentRequest:
    if object_id(pk) is None:
        raise DomainError(_("Cette demande n'existe plus."))
    return get_object_or_404(EquipmentRequest.objects.filter(school=school, school_year=school_year), pk=object_id(pk))


def _list_change(request, school, school_year) -> str:
    """Move, remove or send requests as the posted button asks; the message to show, or DomainError."""
    action = request.POST.get("action", "")
    if action == "send":
        count = equipment_requests_send(school=school, school_year=school_year, by=request.user)
        return _("%(count)d demande(s) envoyée(s) à la collectivité (%(collectivity)s).") % {
            "count": count,
            "collectivity": school.collectivity.name,
        }
    item = _request_of(school, school_year, request.POST.get("request"))
    if action in ("up", "down"):
        equipment_request_move(request=item, up=action == "up", by=request.user)
        return _("« %(item)s » a changé de rang.") % {"item": item.item}
    if action == "delete":
        equipment_request_delete(request=item, by=request.user)
        return _("« %(item)s » est retirée de la liste.") % {"item": item.item}
    raise DomainError(_("Action inconnue."))


def _equipment_post(request, school, school_year):
    """POST: a request added ("add"), or the list changed; a redirect once done, else the form and the status."""
    if request.POST.get("action") != "add":
        try:
            messages.success(request, _list_change(request, school, school_year))
        except DomainError as error:
            messages.error(request, error.message)
            return EquipmentRequestForm(), 400
        return redirect(request.path)
    form = EquipmentRequestForm(request.POST)
    if form.is_valid():
        try:
            equipment_request_add(school=school, school_year=school_year, **form.cleaned_data, by=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("La demande est ajoutée en fin de liste."))
            return redirect(request.path)
    return form, 400


@require_http_methods(["GET", "POST"])
@school_page(Perm.VIEW_SCHOOL, post=Perm.EDIT_EQUIPMENT)
def equipment(request, page: SchoolPage):
    """The school's equipment requests for the year, in priority order; the principal and referents keep them."""
    school, school_year = page.school, page.school_year
    can_edit = page.can(Perm.EDIT_EQUIPMENT)
    form, status = (EquipmentRequestForm() if can_edit else None), 200
    if request.method == "POST":
        posted = _equipment_post(request, school, school_year)
        if not isinstance(posted, tuple):
            return posted
        form, status = posted
    requests = school_equipment_requests(school, school_year)
    for item in requests:
        item.can = item.abilities(page.perms)
    context = {
        "school": school,
        "school_year": school_year,
        "requests": requests,
        "has_drafts": any(r.can["send"] for r in requests),
        "can_edit": can_edit,
        "form": form,
        "breadcrumb_data": _breadcrumb(school, _("Demandes d'équipement %(year)s") % {"year": school_year.name}),
        "title": _("Demandes d'équipement %(year)s — %(school)s") % {"year": school_year.name, "school": school.name},
    }
    return render(request, "schools/equipment.html", context, status=status)


EQUIPMENT_FIELDS = ("item", "quantity", "use", "cost_estimate")


def _equipment_current(form, pk: int) -> Current:
    item = EquipmentRequest.objects.select_related("updated_by").get(pk=pk)
    who = item.updated_by.get_full_name() if item.updated_by else None
    initial = {name: getattr(item, name) for name in EQUIPMENT_FIELDS}
    return current_of(
        form, version=item.version, initial=initial, names=EQUIPMENT_FIELDS, who=who, when=item.updated_at
    )


@require_http_methods(["GET", "POST"])
@school_page(Perm.EDIT_EQUIPMENT)
def equipment_edit(request, page: SchoolPage, pk: int):
    """Change a request still in preparation."""
    school, school_year = page.school, page.school_year
    item = get_object_or_404(EquipmentRequest.objects.filter(school=school, school_year=school_year), pk=pk)
    if not item.abilities(page.perms)["edit"]:
        messages.info(request, _("Cette demande est déjà envoyée à la collectivité : elle ne peut plus être modifiée."))
        return redirect("schools:equipment", uai=school.uai, year=school_year.name)
    salt = f"equipment:{item.pk}"
    if request.method == "POST":
        outcome = form_save(
            EquipmentEditForm,
            request.POST,
            salt=salt,
            names=EQUIPMENT_FIELDS,
            load=lambda form: _equipment_current(form, item.pk),
            save=lambda version, data: equipment_request_update(
                request=item,
                expected_version=version,
                **{name: data[name] for name in EQUIPMENT_FIELDS},
                by=request.user,
            ),
        )
        if outcome.saved:
            messages.success(request, _("La demande est enregistrée."))
            return redirect("schools:equipment", uai=school.uai, year=school_year.name)
    else:
        form = EquipmentEditForm(initial={name: getattr(item, name) for name in EQUIPMENT_FIELDS})
        outcome = FormSave(
            form=stamp_form(form, salt=salt, version=item.version, names=EQUIPMENT_FIELDS), conflict="", status=200
        )
    context = {
        "school": school,
        "school_year": school_year,
        "item": item,
        "form": outcome.form,
        "conflict": outcome.conflict,
        "breadcrumb_data": _breadcrumb(school, item.item, equipment_year=school_year),
        "title": _("Modifier la demande « %(item)s »") % {"item": item.item},
    }
    return render(request, "schools/equipment_form.html", context, status=outcome.status)
