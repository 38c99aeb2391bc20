"""Printed documents: the CA sheet and the lettres de mission (PDF and preview), and batch printing."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from dsfr.forms import DsfrBaseForm

from documents.content import (
    ca_sheet_data,
    letter_people,
    load_plan,
    mission_letter_data,
    render_ca_sheet,
    render_mission_letter,
)
from documents.models import PrintBatch
from documents.printing import active_batch, print_batch_start
from missions.models import AllocationPlan
from rupn.lib.formats import of
from schools.access import Perm, SchoolPage, may_view_letter, object_or_404, require_academie_perm, school_page
from schools.models import Academie, Departement, SchoolYear


def _loaded_plan(school, school_year):
    """The year's plan loaded for printing; a 404 when none was started."""
    plans = AllocationPlan.objects.filter(school=school, school_year=school_year).order_by("pk")
    return load_plan(object_or_404(plans, _("Aucun plan de répartition n'a été commencé pour cette année.")).pk)


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
@school_page(Perm.VIEW_PLAN)
def ca_sheet_pdf(request, page: SchoolPage):
    sheet = ca_sheet_data(_loaded_plan(page.school, page.school_year))
    return _pdf_response(render_ca_sheet(sheet), sheet.filename)


@require_GET
@school_page(Perm.VIEW_PLAN)
def ca_sheet_preview(request, page: SchoolPage):
    school, school_year = page.school, page.school_year
    sheet = ca_sheet_data(_loaded_plan(school, school_year))
    return _preview(
        request,
        school=school,
        school_year=school_year,
        doc=sheet,
        body_template="missions/pdf/_ca_sheet.html",
        pdf_url=reverse("documents:ca_sheet_pdf", args=[school.uai, school_year.name]),
        current=_("Fiche pour le conseil d'administration"),
    )


def _letter(request, page: SchoolPage, person_id: int):
    school, school_year = page.school, page.school_year
    loaded = _loaded_plan(school, school_year)
    person = next((p for p in letter_people(loaded) if p.pk == person_id), None)
    if person is None:
        raise Http404(_("Cette personne n'est désignée pour aucune mission dans ce plan."))
    if not may_view_letter(request.user, school, person):
        raise PermissionDenied(
            _("Une lettre de mission n'est lisible que par le chef d'établissement et son destinataire.")
        )
    return school, school_year, mission_letter_data(loaded, person)


@require_GET
@school_page(Perm.VIEW_PLAN)
def letter_pdf(request, page: SchoolPage, person_id: int):
    _school, _year, letter = _letter(request, page, person_id)
    return _pdf_response(render_mission_letter(letter), letter.filename)


@require_GET
@school_page(Perm.VIEW_PLAN)
def letter_preview(request, page: SchoolPage, person_id: int):
    school, school_year, letter = _letter(request, page, person_id)
    return _preview(
        request,
        school=school,
        school_year=school_year,
        doc=letter,
        body_template="missions/pdf/_mission_letter.html",
        pdf_url=reverse("documents:letter_pdf", args=[school.uai, school_year.name, person_id]),
        current=_("Lettre de mission %(of_person)s") % {"of_person": of(letter.person_name)},
    )


# --- Batch printing (DANE, rectorat) ----------------------------------------------------------------------


class PrintBatchForm(DsfrBaseForm):
    scope = forms.ChoiceField(label=gettext_lazy("Établissements"))
    school_year = forms.ChoiceField(label=gettext_lazy("Année scolaire"))

    def __init__(self, *args, academies: list[Academie], years: list[SchoolYear], **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for academie in academies:
            choices.append((f"a{academie.pk}", _("Toute l'académie %(of_name)s") % {"of_name": of(academie.name)}))
            choices += [
                (f"d{d.pk}", _("Département %(departement)s") % {"departement": d})
                for d in sorted(academie.departements.all(), key=lambda d: d.code)
            ]
        self.fields["scope"].choices = choices
        self.fields["scope"].initial = choices[0][0] if choices else None
        self.fields["school_year"].choices = [(str(y.pk), y.name) for y in years]
        # From January the CA votes the plans of the next school year.
        self.fields["school_year"].initial = str(years[0].pk if timezone.localdate().month >= 9 else years[-1].pk)
        self._academies = {a.pk: a for a in academies}
        self._departements = {d.pk: d for a in academies for d in a.departements.all()}
        self._years = {y.pk: y for y in years}

    def cleaned_scope(self) -> tuple[Academie, Departement | None]:
        kind, pk = self.cleaned_data["scope"][0], int(self.cleaned_data["scope"][1:])
        if kind == "a":
            return self._academies[pk], None
        departement = self._departements[pk]
        return self._academies[departement.academie_id], departement

    def cleaned_year(self) -> SchoolYear:
        return self._years[int(self.cleaned_data["school_year"])]


def _batch_years() -> list[SchoolYear]:
    return [SchoolYear.current(), SchoolYear.next()]


@require_http_methods(["GET", "POST"])
def print_batches(request):
    """Start a batch for a département or the académie; a second click while one runs shows that one."""
    academie_ids = require_academie_perm(request.user, Perm.PRINT_BATCH)
    academies = list(Academie.objects.filter(pk__in=academie_ids).prefetch_related("departements").order_by("name"))
    form = PrintBatchForm(request.POST or None, academies=academies, years=_batch_years())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            academie, departement = form.cleaned_scope()
            batch, created = print_batch_start(
                user=request.user, academie=academie, departement=departement, school_year=form.cleaned_year()
            )
            if not created:
                messages.info(request, _("Une impression est déjà en cours : voici son avancement."))
            return redirect("documents:print_batch", pk=batch.pk)
        status = 400
    recent = (
        PrintBatch.objects.filter(requested_by=request.user)
        .select_related("academie", "departement", "school_year")
        .order_by("-created_at", "-pk")[:10]
    )
    return render(
        request,
        "missions/print_batches.html",
        {
            "form": form,
            "running": active_batch(request.user),
            "recent": recent,
            "ttl": settings.PRINT_BATCH_TTL_HOURS,
            "title": _("Imprimer les fiches pour le conseil d'administration"),
            "breadcrumb_data": {"links": [], "current": _("Impressions")},
        },
        status=status,
    )


def _own_batch(request, pk: int) -> PrintBatch:
    """A batch is only for the person who asked for it: anyone else gets a 404, whatever their role."""
    return object_or_404(
        PrintBatch.objects.filter(requested_by=request.user)
        .select_related("academie", "departement", "school_year")
        .order_by("pk"),
        _("Aucune impression de votre part ne porte ce numéro."),
        pk=pk,
    )


def _batch_state(batch: PrintBatch) -> dict:
    ready = batch.can_download
    expires = (
        _("Disponible jusqu'au %(date)s.") % {"date": date_format(timezone.localtime(batch.expires_at), "j F Y à H:i")}
        if ready
        else ""
    )
    return {
        "state": batch.state,
        "state_label": batch.get_state_display(),
        "done": batch.done,
        "total": batch.total,
        "percent": batch.percent,
        "failures": batch.failures,
        "download_url": reverse("documents:print_batch_zip", args=[batch.pk]) if ready else "",
        "expires_label": expires,
    }


@require_GET
def print_batch(request, pk: int):
    batch = _own_batch(request, pk)
    return render(
        request,
        "missions/print_batch.html",
        {
            "batch": batch,
            "state": _batch_state(batch),
            "title": _("Impression des fiches — %(scope)s — %(year)s")
            % {"scope": batch.scope_label, "year": batch.school_year.name},
            "breadcrumb_data": {
                "links": [{"url": reverse("documents:print_batches"), "title": _("Impressions")}],
                "current": _("Impression n° %(pk)s") % {"pk": batch.pk},
            },
        },
    )


@require_GET
def print_batch_state(request, pk: int):
    response = JsonResponse(_batch_state(_own_batch(request, pk)))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def print_batch_zip(request, pk: int):
    batch = _own_batch(request, pk)
    if not batch.is_done:
        raise Http404(_("L'impression n'est pas terminée."))
    if batch.is_expired or not batch.file:
        return render(
            request,
            "missions/print_batch_expired.html",
            {
                "batch": batch,
                "title": _("Archive expirée"),
                "breadcrumb_data": {
                    "links": [{"url": reverse("documents:print_batches"), "title": _("Impressions")}],
                    "current": _("Archive expirée"),
                },
            },
            status=410,
        )
    try:
        handle = batch.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("L'archive n'est plus disponible.")) from None
    scope = batch.departement.code if batch.departement_id else batch.academie.code
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"fiches-ca-{scope}-{batch.school_year.name}.zip",
        content_type="application/zip",
    )
