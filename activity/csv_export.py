"""The activity log as a CSV file that Excel opens in French (written by rupn.lib.csvfiles)."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from rupn.lib import csvfiles
from rupn.lib.formats import decimal_hours, format_duration


def activity_csv(entries, *, filename: str) -> HttpResponse:
    """One line per entry (entries come with person, person.school and mission)."""
    header = [
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
    rows = (
        [
            entry.date,
            entry.person.school.uai,
            entry.person.school.name,
            entry.person.last_name,
            entry.person.first_name,
            entry.mission.label,
            entry.get_kind_display(),
            format_duration(entry.minutes),
            decimal_hours(entry.minutes),
            entry.minutes,
            entry.ticket_number,
            entry.ticket_url,
            entry.description,
        ]
        for entry in entries
    )
    return csvfiles.csv_response(filename, header, rows)
