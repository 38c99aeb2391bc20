"""The activity log as a CSV file that Excel opens in French: UTF-8 with a BOM, `;` separators, CRLF."""

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _

from rupn.lib.cells import safe_cell
from rupn.lib.durations import decimal_hours, format_duration


def activity_csv(entries, *, filename: str) -> HttpResponse:
    """One line per entry (entries come with person, person.school and mission)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("date"),
            _("uai"),
            _("établissement"),
            _("nom"),
            _("prénom"),
            _("mission"),
            _("nature"),
            _("durée"),
            _("heures"),
            _("minutes"),
            _("ticket"),
            _("lien du ticket"),
            _("description"),
        ]
    )
    for entry in entries:
        writer.writerow(
            [
                entry.date.strftime("%d/%m/%Y"),
                entry.person.school.uai,
                safe_cell(entry.person.school.name),
                safe_cell(entry.person.last_name),
                safe_cell(entry.person.first_name),
                safe_cell(entry.mission.label),
                entry.get_kind_display(),
                format_duration(entry.minutes),
                decimal_hours(entry.minutes),
                entry.minutes,
                safe_cell(entry.ticket_number),
                safe_cell(entry.ticket_url),
                safe_cell(entry.description),
            ]
        )
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
