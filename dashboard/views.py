"""The DANE's and rectorat's académie-wide pages: figures, the table of schools and its exports."""

import csv
import tempfile

from django.core.paginator import Paginator
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from dashboard import selectors
from dashboard.forms import SchoolFilterForm
from rupn.access import academie_staff_academies
from schools.models import School, SchoolYear

PAGE_SIZE = 50


def _scope(request):
    academies = list(academie_staff_academies(request.user))
    return academies, [a.pk for a in academies], SchoolYear.current()


def _bars(groups, *, value_key: str = "all_ok", total_key: str = "schools") -> list[dict]:
    """Rows for the HTML/CSS bars: label, value, total, share in % and the bar's width class (5 % steps)."""
    bars = []
    for group in groups:
        percent = round(100 * group[value_key] / group[total_key]) if group[total_key] else 0
        bars.append(
            {
                "label": group["label"],
                "value": group[value_key],
                "total": group[total_key],
                "percent": percent,
                "width": 5 * round(percent / 5),
            }
        )
    return bars


def dashboard(request):
    academies, ids, year = _scope(request)
    figures = selectors.figures(ids, year)
    for group in figures["departement"]:
        group["label"] = f"{group['departement__code']} {group['departement__name']}"
    for group in figures["collectivity"]:
        group["label"] = group["collectivity__name"]
    for group in figures["kind"]:
        group["label"] = group["kind_label"]
    sections = [
        {"id": "par-departement", "title": _("Par département"), "groups": figures["departement"]},
        {"id": "par-collectivite", "title": _("Par collectivité"), "groups": figures["collectivity"]},
        {"id": "par-type", "title": _("Par type d'établissement"), "groups": figures["kind"]},
    ]
    for section in sections:
        section["bars"] = _bars(section["groups"])
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
            "title": _("Tableau de bord de l'académie"),
            "breadcrumb_data": {"links": [], "current": _("Tableau de bord de l'académie")},
        },
    )


def _filtered(request):
    academies, ids, year = _scope(request)
    form = SchoolFilterForm(request.GET or None, academie_ids=ids)
    filters = form.filters() if request.GET else selectors.Filters()
    return academies, year, form, selectors.school_rows(ids, year, filters)


def _coverage(school, standard_total: int) -> int:
    return round(100 * school.held / standard_total) if standard_total else 0


def school_table(request):
    academies, year, form, rows = _filtered(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    standard_total = selectors.standard_mission_count()
    for school in page.object_list:
        school.coverage = _coverage(school, standard_total)
        school.plan_state_label = selectors.PLAN_STATE_LABELS.get(school.plan_state, school.plan_state)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard/school_table.html",
        {
            "academies": academies,
            "year": year,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "extra_columns": selectors.EXTRA_COLUMNS,
            "title": _("Établissements de l'académie"),
            "breadcrumb_data": {
                "links": [{"url": "/dane/", "title": _("Tableau de bord de l'académie")}],
                "current": _("Établissements"),
            },
        },
    )


def _export_header() -> list[str]:
    header = [
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
    ]
    return header + [str(title) for _name, title in selectors.EXTRA_COLUMNS]


def _export_rows(rows):
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
        ] + [getattr(school, name) for name, _title in selectors.EXTRA_COLUMNS]


class _Echo:
    def write(self, value):
        return value


def school_table_csv(request):
    _academies, year, _form, rows = _filtered(request)
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff" + writer.writerow(_export_header())
        for row in _export_rows(rows):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="etablissements-{year.name}.csv"'
    return response


def school_table_xlsx(request):
    import xlsxwriter

    _academies, year, _form, rows = _filtered(request)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    # constant_memory: rows are written to disk as they come, whatever the number of schools.
    workbook = xlsxwriter.Workbook(spool, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet(_("Établissements")[:31])
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, _export_header(), bold)
    for n, row in enumerate(_export_rows(rows), start=1):
        sheet.write_row(n, 0, row)
    workbook.close()
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"etablissements-{year.name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
