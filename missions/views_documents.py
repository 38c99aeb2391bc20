"""Printed documents: the CA sheet and the lettres de mission (PDF and preview)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from missions.documents import (
    ca_sheet_data,
    letter_people,
    load_plan,
    mission_letter_data,
    render_ca_sheet,
    render_mission_letter,
)
from missions.models import AllocationPlan
from missions.views import school_year_or_404
from rupn.access import Perm, get_school_or_404, may_view_letter


def _plan_or_404(school, school_year):
    plan_id = AllocationPlan.objects.filter(school=school, school_year=school_year).values_list("pk", flat=True).first()
    if plan_id is None:
        raise Http404(_("Aucun plan de répartition n'a été commencé pour cette année."))
    return load_plan(plan_id)


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _document_breadcrumb(school, school_year, current: str) -> dict:
    return {
        "links": [
            {"url": reverse("schools:detail", args=[school.uai]), "title": school.name},
            {
                "url": reverse("missions:allocation", args=[school.uai, school_year.name]),
                "title": _("Répartition des missions %(year)s") % {"year": school_year.name},
            },
        ],
        "current": current,
    }


def _preview(request, *, school, school_year, doc, body_template: str, pdf_url: str, current: str):
    return render(
        request,
        "missions/document_preview.html",
        {
            "doc": doc,
            "body_template": body_template,
            "pdf_url": pdf_url,
            "title": doc.title,
            "breadcrumb_data": _document_breadcrumb(school, school_year, current),
        },
    )


@require_GET
def ca_sheet_pdf(request, uai: str, year: str):
    school = get_school_or_404(request.user, uai, perm=Perm.VIEW_PLAN)
    sheet = ca_sheet_data(_plan_or_404(school, school_year_or_404(year)))
    return _pdf_response(render_ca_sheet(sheet), sheet.filename)


@require_GET
def ca_sheet_preview(request, uai: str, year: str):
    school = get_school_or_404(request.user, uai, perm=Perm.VIEW_PLAN)
    school_year = school_year_or_404(year)
    sheet = ca_sheet_data(_plan_or_404(school, school_year))
    return _preview(
        request,
        school=school,
        school_year=school_year,
        doc=sheet,
        body_template="missions/pdf/_ca_sheet.html",
        pdf_url=reverse("documents:ca_sheet_pdf", args=[school.uai, school_year.name]),
        current=_("Fiche pour le conseil d'administration"),
    )


def _letter(request, uai: str, year: str, person_id: int):
    school = get_school_or_404(request.user, uai, perm=Perm.VIEW_PLAN)
    school_year = school_year_or_404(year)
    loaded = _plan_or_404(school, school_year)
    person = next((p for p in letter_people(loaded) if p.pk == person_id), None)
    if person is None:
        raise Http404(_("Cette personne n'est désignée pour aucune mission dans ce plan."))
    if not may_view_letter(request.user, school, person):
        raise PermissionDenied(
            _("Une lettre de mission n'est lisible que par le chef d'établissement et son destinataire.")
        )
    return school, school_year, mission_letter_data(loaded, person)


@require_GET
def letter_pdf(request, uai: str, year: str, person_id: int):
    _school, _year, letter = _letter(request, uai, year, person_id)
    return _pdf_response(render_mission_letter(letter), letter.filename)


@require_GET
def letter_preview(request, uai: str, year: str, person_id: int):
    school, school_year, letter = _letter(request, uai, year, person_id)
    return _preview(
        request,
        school=school,
        school_year=school_year,
        doc=letter,
        body_template="missions/pdf/_mission_letter.html",
        pdf_url=reverse("documents:letter_pdf", args=[school.uai, school_year.name, person_id]),
        current=_("Lettre de mission de %(person)s") % {"person": letter.person_name},
    )
