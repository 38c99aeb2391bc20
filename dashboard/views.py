"""The DANE's and rectorat's académie-wide pages: figures, the table of schools and its exports."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dashboard import selectors
from dashboard.forms import SchoolFilterForm
from rupn.lib import csvfiles, xlsxfiles
from rupn.lib.formats import decimal_hours, format_euros, format_hours
from rupn.lib.pagination import query_without_page
from schools.access import Perm, require_academie_perm
from schools.models import Academie, School, SchoolMeans, SchoolYear

PAGE_SIZE = 50
MEANS_TOTAL = len(SchoolMeans.ITEMS)


def _scope(request):
    ids = require_academie_perm(request.user, Perm.VIEW_DASHBOARD)  # 403 for anyone but DANE and rectorat staff
    academies = list(Academie.objects.filter(pk__in=ids).order_by("name", "pk"))
    return academies, [a.pk for a in academies], SchoolYear.current()


def _bar(label, value, total, *, text: str = "") -> dict:
    """One HTML/CSS bar: label, its text (value / total and share), share in % and the width class (5 % steps)."""
    percent = round(100 * value / total) if total else 0
    return {
        "label": label,
        "text": text or f"{value} / {total} ({percent} %)",
        "percent": percent,
        "width": 5 * round(min(percent, 100) / 5),
    }


def _bars(groups, *, value_key: str = "all_ok", total_key: str = "schools", money: bool = False) -> list[dict]:
    """Rows for the bars of a section, one per group."""
    bars = []
    for group in groups:
        value, total = group[value_key], group[total_key]
        text = ""
        if money:
            percent = round(100 * value / total) if total else 0
            text = f"{format_euros(value)} / {format_euros(total)} ({percent} %)"
        bars.append(_bar(group["label"], value, total, text=text))
    return bars


def _mission_hours(entries, sections) -> tuple[list[dict], list[dict]]:
    """From the figures' minutes by mission and group: the académie's bars of hours by mission, and each
    section's table of hours by mission (rows: missions; columns: the section's groups)."""
    missions: dict[int, dict] = {}
    for entry in entries:
        mission = missions.setdefault(entry["mission_id"], {"label": entry["mission_label"], "minutes": 0})
        mission["minutes"] += entry["minutes"]
    largest = max((m["minutes"] for m in missions.values()), default=0)
    bars = [_bar(m["label"], m["minutes"], largest, text=format_hours(m["minutes"])) for m in missions.values()]
    keys = {
        "par-departement": lambda e: (e["departement__code"],),
        "par-collectivite": lambda e: (e["collectivity__code"],),
        "par-type": lambda e: (e["kind"],),
    }
    for section in sections:
        by_cell: dict[tuple, int] = {}
        for entry in entries:
            cell = (entry["mission_id"], *keys[section["id"]](entry))
            by_cell[cell] = by_cell.get(cell, 0) + entry["minutes"]
        section["mission_hours"] = [
            {
                "label": mission["label"],
                "cells": [format_hours(by_cell.get((mission_id, *group["key"]), 0)) for group in section["groups"]],
                "total": format_hours(mission["minutes"]),
            }
            for mission_id, mission in missions.items()
        ]
    return bars, sections


def _label_groups(figures) -> None:
    """Name each group of the figures, give it its key in the table's links, and format its hours and money."""
    for group in figures["departement"]:
        group["label"] = f"{group['departement__code']} {group['departement__name']}"
        group["key"] = (group["departement__code"],)
    for group in figures["collectivity"]:
        group["label"] = group["collectivity__name"]
        group["key"] = (group["collectivity__code"],)
    for group in figures["kind"]:
        group["label"] = group["kind_label"]
        group["key"] = (group["kind"],)
    for group in [*figures["departement"], *figures["collectivity"], *figures["kind"], figures["total"]]:
        group["hours"] = format_hours(group["minutes"])
        for key in selectors.MONEY_KEYS:
            group[f"{key}_display"] = format_euros(group[key])


@require_GET
def dashboard(request):
    academies, ids, year = _scope(request)
    figures = selectors.figures(ids, year)
    _label_groups(figures)
    sections = [
        {"id": "par-departement", "title": _("Par département"), "groups": figures["departement"]},
        {"id": "par-collectivite", "title": _("Par collectivité"), "groups": figures["collectivity"]},
        {"id": "par-type", "title": _("Par type d'établissement"), "groups": figures["kind"]},
    ]
    for section in sections:
        section["bars"] = _bars(section["groups"])
        section["review_bars"] = _bars(section["groups"], value_key="reviews_done")
        section["imp_bars"] = _bars(section["groups"], value_key="imp_validated", total_key="envelopes", money=True)
    mission_bars, sections = _mission_hours(figures["missions"], sections)
    states = [
        {"key": state, "label": label, "value": figures["total"][f"state_{state}"]}
        for state, label in selectors.PLAN_STATES
    ]
    for section in sections:
        for group in section["groups"]:
            group["states"] = [group[f"state_{state}"] for state, _label in selectors.PLAN_STATES]
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "academies": academies,
            "year": year,
            "total": figures["total"],
            "states": states,
            "state_labels": [label for _state, label in selectors.PLAN_STATES],
            "sections": sections,
            "mission_bars": mission_bars,
            "title": _("Tableau de bord de l'académie"),
            "breadcrumb_data": {"links": [], "current": _("Tableau de bord de l'académie")},
        },
    )


def _filtered(request, *, every_column: bool = True):
    academies, ids, year = _scope(request)
    form = SchoolFilterForm(request.GET or None, academie_ids=ids)
    filters = form.filters() if request.GET else selectors.Filters()
    return academies, year, form, selectors.school_rows(ids, year, filters, every_column=every_column)


def _coverage(school, standard_total: int) -> int:
    return round(100 * school.held / standard_total) if standard_total else 0


@require_GET
def school_table(request):
    academies, year, form, rows = _filtered(request, every_column=False)
    page = Paginator(rows.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.school_rows_by_pk(list(page.object_list), year)
    standard_total = selectors.standard_mission_count()
    for school in page.object_list:
        school.coverage = _coverage(school, standard_total)
        school.plan_state_label = selectors.PLAN_STATE_LABELS.get(school.plan_state, school.plan_state)
        school.imp_proposed_display = format_euros(school.imp_proposed)
        school.imp_validated_display = format_euros(school.imp_validated)
        school.envelope_display = format_euros(school.envelope) if school.envelope is not None else "—"
        school.hours = format_hours(school.minutes)
        school.means_display = (
            _("%(given)d sur %(total)d") % {"given": school.means_given, "total": MEANS_TOTAL}
            if school.means_given is not None
            else _("non renseignés")
        )
    return render(
        request,
        "dashboard/school_table.html",
        {
            "academies": academies,
            "year": year,
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "title": _("Établissements de l'académie"),
            "breadcrumb_data": {
                "links": [{"url": "/dane/", "title": _("Tableau de bord de l'académie")}],
                "current": _("Établissements"),
            },
        },
    )


def _export_header() -> list[str]:
    return [
        _("UAI"),
        _("Nom"),
        _("Commune"),
        _("Département"),
        _("Collectivité"),
        _("Type"),
        _("État du plan"),
        _("Couverture (%)"),
        _("Problème bloquant"),
        _("Missions tenues par une seule personne qui part"),
        _("Référents"),
        _("IMP proposées (€)"),
        _("IMP validées (€)"),
        _("Enveloppe IMP (€)"),
        _("Point d'étape fait"),
        _("Heures d'activité"),
        _("Moyens donnés aux référents (sur %(total)d)") % {"total": MEANS_TOTAL},
    ]


def _export_rows(rows):
    """The rows of the exports: amounts and hours as Decimal (the writers format them)."""
    standard_total = selectors.standard_mission_count()
    kinds = dict(School.Kind.choices)
    for school in rows.iterator(chunk_size=500):
        has_plan = school.plan_state != selectors.NO_PLAN
        yield [
            school.uai,
            school.name,
            school.commune,
            school.departement.code,
            school.collectivity.name,
            str(kinds.get(school.kind, school.kind)),
            str(selectors.PLAN_STATE_LABELS.get(school.plan_state, school.plan_state)),
            _coverage(school, standard_total),
            (_("oui") if school.blocking else _("non")) if has_plan else "",
            school.single_leaving,
            school.referents,
            school.imp_proposed,
            school.imp_validated,
            school.envelope if school.envelope is not None else "",
            _("oui") if school.review_done else _("non"),
            decimal_hours(school.minutes),
            school.means_given if school.means_given is not None else "",
        ]


@require_GET
def school_table_csv(request):
    _academies, year, _form, rows = _filtered(request)
    return csvfiles.csv_response(f"etablissements-{year.name}.csv", _export_header(), _export_rows(rows), stream=True)


MONEY_COLUMNS = (11, 12, 13)  # IMP proposed, validated, envelope


@require_GET
def school_table_xlsx(request):
    _academies, year, _form, rows = _filtered(request)
    return xlsxfiles.xlsx_response(
        f"etablissements-{year.name}.xlsx",
        _("Établissements"),
        _export_header(),
        _export_rows(rows),
        money_columns=MONEY_COLUMNS,
    )
