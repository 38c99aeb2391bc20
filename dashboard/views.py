"""The DANE's and rectorat's académie-wide pages: figures, the table of schools and its exports."""

import datetime
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from dashboard import geo, selectors
from dashboard.forms import SchoolFilterForm
from rupn.lib import csvfiles, xlsxfiles
from rupn.lib.formats import decimal_hours, format_date, format_euros, format_hours
from rupn.lib.pagination import query_without_page
from schools.access import Perm, require_academie_perm
from schools.models import Academie, School, SchoolMeans, SchoolYear

PAGE_SIZE = 50
MEANS_TOTAL = len(SchoolMeans.ITEMS)


def school_years(request) -> tuple[SchoolYear, list[SchoolYear]]:
    """The school year asked in ?annee=2026-2027 (default: the current one) and the years one may pick, newest
    first: every recorded year up to the next one (whose plans the CA votes in June). One query; a GET never
    creates a year: an unknown or malformed ?annee= is a 404. Only an install with no year at all gets the current
    one created, as every page does on first use."""
    current = SchoolYear.start_year_for(timezone.localdate())
    years = list(SchoolYear.objects.filter(start_year__lte=current + 1).order_by("-start_year"))
    asked = request.GET.get("annee", "")
    if asked:
        wanted = SchoolYear.parse_name(asked)
        year = next((y for y in years if y.start_year == wanted), None)
        if year is None:
            raise Http404(_("Cette année scolaire n'existe pas."))
        return year, years
    year = next((y for y in years if y.start_year <= current), None)
    if year is None:
        year = SchoolYear.current()
        years = sorted([*years, year], key=lambda y: -y.start_year)
    return year, years


def _scope(request):
    ids = require_academie_perm(request.user, Perm.VIEW_DASHBOARD)  # 403 for anyone but DANE and rectorat staff
    academies = list(Academie.objects.filter(pk__in=ids).order_by("name", "pk"))
    year, years = school_years(request)
    return academies, [a.pk for a in academies], year, years


def _bar(label, value, total, *, text: str = "", link: str = "", state: str = "") -> dict:
    """One HTML/CSS bar: label, its text (value / total and share), share in % and the width class (5 % steps)."""
    percent = round(100 * value / total) if total else 0
    return {
        "label": label,
        "text": text or f"{value} / {total} ({percent} %)",
        "percent": percent,
        "width": 5 * round(min(percent, 100) / 5),
        "link": link,
        "state": state,
    }


def _mission_bars(entries) -> list[dict]:
    """The académie's hours by mission, as bars proportional to the most followed mission."""
    missions: dict[int, dict] = {}
    for entry in entries:
        mission = missions.setdefault(entry["mission_id"], {"label": entry["mission_label"], "minutes": 0})
        mission["minutes"] += entry["minutes"]
    largest = max((m["minutes"] for m in missions.values()), default=0)
    return [_bar(m["label"], m["minutes"], largest, text=format_hours(m["minutes"])) for m in missions.values()]


def table_url(year: SchoolYear, **filters) -> str:
    """The table of schools of the year, filtered."""
    return f"/dane/etablissements/?{urlencode({'annee': year.name, **filters})}"


GROUPINGS = (
    ("departement", "par-departement", _lazy("Par département"), "departement"),
    ("collectivity", "par-collectivite", _lazy("Par collectivité"), "collectivity"),
    ("kind", "par-type", _lazy("Par type d'établissement"), "kind"),
)


def _label_groups(figures, year: SchoolYear) -> None:
    """Name each group of the figures, give it its link to the filtered table, and format its hours and money."""
    for group in figures["departement"]:
        group["label"] = f"{group['departement__code']} {group['departement__name']}"
        group["code"] = group["departement__code"]
    for group in figures["collectivity"]:
        group["label"] = group["collectivity__name"]
        group["code"] = group["collectivity__code"]
    for group in figures["kind"]:
        group["label"] = group["kind_label"]
        group["code"] = group["kind"]
    for name, _anchor, _title, field in GROUPINGS:
        for group in figures[name]:
            group["url"] = table_url(year, **{field: group["code"]})
    for group in [*figures["departement"], *figures["collectivity"], *figures["kind"], figures["total"]]:
        group["hours"] = format_hours(group["minutes"])
        for key in selectors.MONEY_KEYS:
            group[f"{key}_display"] = format_euros(group[key])
        group["states"] = [group[f"state_{state}"] for state, _label in selectors.PLAN_STATES]
        group["imp_percent"] = round(100 * group["imp_validated"] / group["envelopes"]) if group["envelopes"] else 0


def same_day_last_year(day: datetime.date) -> datetime.date:
    return day.replace(year=day.year - 1) if (day.month, day.day) != (2, 29) else day.replace(year=day.year - 1, day=28)


def _signed(value, formatter=str) -> str:
    if value == 0:
        return _("stable")
    return ("+" if value > 0 else "−") + formatter(abs(value))


# The key figures: (key of the figures, title, filters of the table it links to, unit).
TILES = (
    ("state_ca_opinion", _lazy("Plans passés en CA"), {"plan_state": selectors.CA_OPINION}, "schools"),
    ("all_ok", _lazy("Toutes les règles bloquantes respectées"), {"rules_ok": "on"}, "schools"),
    ("no_referent", _lazy("Sans référent désigné"), {"no_referent": "on"}, "schools"),
    ("reviews_done", _lazy("Points d'étape faits"), {"review_done": "on"}, "schools"),
    ("imp_validated", _lazy("IMP validées"), {"imp_validated": "on"}, "money"),
    ("minutes", _lazy("Heures d'activité saisies"), {"sort": "-hours"}, "minutes"),
)
FORMATTERS = {"schools": str, "money": format_euros, "minutes": format_hours}


def _tiles(total: dict, previous: dict | None, year: SchoolYear, compared_on: datetime.date) -> list[dict]:
    """The key figures as tiles: value, what it is out of, its change from the same date last year, its link."""
    tiles = []
    for key, title, filters, unit in TILES:
        formatter = FORMATTERS[unit]
        if unit == "money":
            percent = round(100 * total[key] / total["envelopes"]) if total["envelopes"] else 0
            detail = _("%(percent)d %% des enveloppes (%(envelopes)s)") % {
                "percent": percent,
                "envelopes": format_euros(total["envelopes"]),
            }
        elif unit == "schools":
            detail = _("sur %(count)d établissements") % {"count": total["schools"]}
        else:
            detail = _("dans l'année scolaire")
        if previous is None:
            change = _("pas de chiffres l'année précédente")
        else:
            change = _("%(change)s par rapport au %(date)s (%(value)s)") % {
                "change": _signed(total[key] - previous[key], formatter),
                "date": format_date(compared_on),
                "value": formatter(previous[key]),
            }
        tiles.append(
            {
                "key": key,
                "title": title,
                "value": formatter(total[key]),
                "detail": detail,
                "change": change,
                "url": table_url(year, **filters),
            }
        )
    return tiles


def _previous_figures(ids, year: SchoolYear, years: list[SchoolYear]) -> tuple[dict | None, datetime.date]:
    """Last year's totals at the same date (one statement), or None when last year is not recorded."""
    compared_on = same_day_last_year(min(timezone.localdate(), year.end_date))
    before = next((y for y in years if y.start_year == year.start_year - 1), None)
    if before is None:
        return None, compared_on
    return selectors.figures(ids, before, until=compared_on)["total"], compared_on


def _charts(figures) -> dict:
    """The charts' bars (each with its data table in the template): plan states by département, hours by
    mission, IMP validated against the envelopes by collectivité."""
    return {
        "states_by_departement": [
            {
                "label": group["label"],
                "url": group["url"],
                "segments": [
                    _bar(label, group[f"state_{state}"], group["schools"], state=state)
                    for state, label in selectors.PLAN_STATES
                ],
            }
            for group in figures["departement"]
        ],
        "mission_bars": _mission_bars(figures["missions"]),
        "imp_bars": [
            _bar(
                group["label"],
                group["imp_validated"],
                group["envelopes"],
                text=f"{group['imp_validated_display']} / {group['envelopes_display']} ({group['imp_percent']} %)",
                link=group["url"],
            )
            for group in figures["collectivity"]
        ],
    }


MARK_SHAPES = {
    selectors.NO_PLAN: "circle",
    "draft": "triangle",
    "submitted": "square",
    selectors.CA_OPINION: "diamond",
}
SHAPE_LABELS = {
    "circle": _lazy("rond"),
    "triangle": _lazy("triangle"),
    "square": _lazy("carré"),
    "diamond": _lazy("losange"),
}
# The figures the map by département may show: (key in ?carte=, label, value of a group in %).
MAP_FIGURES = {
    "ca": (_lazy("Part des plans passés en CA"), lambda g: _share(g["state_ca_opinion"], g["schools"])),
    "regles": (
        _lazy("Part des plans dont les règles bloquantes sont respectées"),
        lambda g: _share(g["all_ok"], g["schools"]),
    ),
    "sans-referent": (_lazy("Part des établissements sans référent"), lambda g: _share(g["no_referent"], g["schools"])),
    "points-etape": (_lazy("Part des points d'étape faits"), lambda g: _share(g["reviews_done"], g["schools"])),
    "imp": (_lazy("IMP validées par rapport aux enveloppes"), lambda g: g["imp_percent"]),
}
MAP_CLASSES = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 101))


def _share(value, total) -> int:
    return round(100 * value / total) if total else 0


def _school_marks(points, frame) -> tuple[list[dict], list[dict], int]:
    """The schools map's marks, one per located school (shape and colour by plan state), the legend and the
    number of schools that could not be placed."""
    labels = selectors.PLAN_STATE_LABELS
    marks, unplaced = [], 0
    counts = dict.fromkeys(MARK_SHAPES, 0)
    for uai, name, _commune, dep, lat, lon, state in points:
        counts[state] = counts.get(state, 0) + 1
        if lat is None or frame is None or dep not in geo.outlines()["departements"]:
            unplaced += 1
            continue
        x, y = geo.project(lat, lon)
        shape = MARK_SHAPES.get(state, "circle")
        marks.append(
            {
                "uai": uai,
                "title": f"{name} — {labels.get(state, state)}",
                "state": state,
                "d": geo.mark_path(x, y, frame.mark, shape),
            }
        )
    legend = [
        {
            "state": state,
            "label": labels[state],
            "shape": SHAPE_LABELS[shape],
            "count": counts.get(state, 0),
            "d": geo.mark_path(10, 10, 7, shape),
        }
        for state, shape in MARK_SHAPES.items()
    ]
    return marks, legend, unplaced


def _departement_shapes(groups, figure: str) -> list[dict]:
    """The map by département: each outline coloured by the class of the chosen figure, labelled with its value."""
    _label, value_of = MAP_FIGURES[figure]
    shapes = []
    for group in groups:
        outline = geo.outlines()["departements"].get(group["code"])
        if outline is None:
            continue
        value = value_of(group)
        level = next(n for n, (low, high) in enumerate(MAP_CLASSES) if low <= min(value, 100) < high)
        shapes.append(
            {
                "code": group["code"],
                "label": f"{group['label']} : {value} %",
                "d": outline["path"],
                "x": f"{outline['centre'][0]:.1f}",  # strings: the French locale would write 413,4
                "y": f"{outline['centre'][1]:.1f}",
                "value": value,
                "level": level,
                "url": group["url"],
            }
        )
    return shapes


def _maps(figures, points, figure: str) -> dict:
    codes = [group["code"] for group in figures["departement"]]
    frame = geo.frame(codes)
    marks, legend, unplaced = _school_marks(points, frame)
    outlines = geo.outlines()["departements"]
    return {
        "frame": frame,
        "outlines": [{"code": code, "d": outlines[code]["path"]} for code in codes if code in outlines],
        "marks": marks,
        "legend": legend,
        "unplaced": unplaced,
        "figure": figure,
        "figure_label": MAP_FIGURES[figure][0],
        "departements": _departement_shapes(figures["departement"], figure),
        "classes": [f"{low} – {min(high, 100)} %" for low, high in MAP_CLASSES],
        "points": [
            {
                "uai": p[0],
                "name": p[1],
                "commune": p[2],
                "departement": p[3],
                "state": selectors.PLAN_STATE_LABELS.get(p[6], p[6]),
                "placed": p[4] is not None,
            }
            for p in points
        ],
    }


@require_GET
def map_json(request):
    """The map's points as one compact JSON document: the fields, then one array per school."""
    _academies, ids, year, _years = _scope(request)
    points = selectors.map_points(ids, year)
    return JsonResponse(
        {
            "annee": year.name,
            "champs": ["uai", "nom", "latitude", "longitude", "etat"],
            "etats": {state: str(label) for state, label in selectors.PLAN_STATES},
            "etablissements": [[uai, name, lat, lon, state] for uai, name, _c, _d, lat, lon, state in points],
        },
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


TREND_YEARS = 3  # the chosen year and the two before it, when recorded


def _trend(ids, year: SchoolYear, years: list[SchoolYear], total: dict) -> dict:
    """The key figures over the recorded school years up to the chosen one (one statement per earlier year, at
    most TREND_YEARS - 1), oldest first: a table (rows: figures; columns: years) and bars of the share of plans
    through the CA."""
    earlier = sorted((y for y in years if y.start_year < year.start_year), key=lambda y: -y.start_year)
    columns = [(y, selectors.figures(ids, y)["total"]) for y in reversed(earlier[: TREND_YEARS - 1])]
    columns.append((year, total))
    rows = []
    for key, title, _filters, unit in TILES:
        formatter = FORMATTERS[unit]
        rows.append({"title": title, "cells": [formatter(figures[key]) for _y, figures in columns]})
    bars = [
        _bar(
            y.name, figures["state_ca_opinion"], figures["schools"], link=table_url(y, plan_state=selectors.CA_OPINION)
        )
        for y, figures in columns
    ]
    return {"years": [y.name for y, _figures in columns], "rows": rows, "bars": bars}


@require_GET
def dashboard(request):
    academies, ids, year, years = _scope(request)
    figures = selectors.figures(ids, year)
    previous, compared_on = _previous_figures(ids, year, years)
    _label_groups(figures, year)
    comparisons = [
        {"id": anchor, "title": title, "groups": figures[name], "field": field}
        for name, anchor, title, field in GROUPINGS
    ]
    figure = request.GET.get("carte", "")
    figure = figure if figure in MAP_FIGURES else "ca"
    maps = _maps(figures, selectors.map_points(ids, year), figure)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "academies": academies,
            "year": year,
            "years": years,
            "figure_choices": [(key, label) for key, (label, _value) in MAP_FIGURES.items()],
            "map_figure": figure,
            "maps": maps,
            "map_json_url": f"/dane/carte.json?annee={year.name}",
            "total": figures["total"],
            "tiles": _tiles(figures["total"], previous, year, compared_on),
            "state_labels": [label for _state, label in selectors.PLAN_STATES],
            "comparisons": comparisons,
            "charts": _charts(figures),
            "trend": _trend(ids, year, years, figures["total"]),
            "table_url": table_url(year),
            "title": _("Tableau de bord de l'académie"),
            "breadcrumb_data": {"links": [], "current": _("Tableau de bord de l'académie")},
        },
    )


def _filtered(request, *, every_column: bool = True):
    academies, ids, year, years = _scope(request)
    form = SchoolFilterForm(request.GET or None, academie_ids=ids, years=years, initial={"annee": year.name})
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
                "links": [{"url": f"/dane/?annee={year.name}", "title": _("Tableau de bord de l'académie")}],
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
