"""Every CSV export of the project opened by LibreOffice Calc in French (issue 17): amounts and hours come back
as numbers, accents intact, text that looks like a formula stays text. One soffice run converts them all."""

import datetime
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from django.urls import reverse

from tests.factories import ActivityEntryFactory, HelpRequestFactory, ProjectFactory

NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
# CSV import options: separator ';' (59), text delimiter '"' (34), UTF-8 (76), from line 1, no column types,
# language fr-FR (1036): numbers are read as French Calc reads them (decimal comma).
FRENCH_CSV_FILTER = "CSV:59,34,76,1,,1036"


def _attr(element, namespace: str, name: str) -> str | None:
    return element.get(f"{{{NS[namespace]}}}{name}")


def read_fods(path: Path) -> list[list[tuple[str, str | None, str]]]:
    """The first sheet's rows: each cell as (value type, numeric or date value, displayed text)."""
    table = ET.parse(path).getroot().find(".//table:table", NS)
    rows = []
    for row in table.findall("table:table-row", NS):
        cells = []
        for cell in row.findall("table:table-cell", NS):
            repeat = int(_attr(cell, "table", "number-columns-repeated") or 1)
            text = "\n".join("".join(p.itertext()) for p in cell.findall("text:p", NS))
            kind = _attr(cell, "office", "value-type") or ""
            assert _attr(cell, "table", "formula") is None, text  # nothing became a formula
            value = _attr(cell, "office", "value") or _attr(cell, "office", "date-value")
            cells += [(kind, value, text)] * min(repeat, 50)
        rows.append(cells)
    return [r for r in rows if any(kind for kind, _v, _t in r)]


def column(rows, name: str) -> list[tuple[str, str | None, str]]:
    index = [text for _k, _v, text in rows[0]].index(name)
    return [row[index] for row in rows[1:]]


def test_every_csv_export_opens_in_french_libreoffice_with_numbers_and_accents(
    client_for, cast, imp, make_award, tmp_path, settings
):
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice Calc is missing: .ci/test-services installs libreoffice-calc-nogui"
    year = cast.school_year
    imp.staff.alice.last_name = '=HYPERLINK("https://evil.example")'
    imp.staff.alice.save(update_fields=["last_name"])
    make_award(imp.staff.romain, "1250", state="validated")
    make_award(imp.staff.alice, "625", state="validated")
    ActivityEntryFactory(
        person=cast.referent_person,
        date=datetime.date(year.start_year, 9, 8),
        minutes=90,
        description="Vidéoprojecteur à régler",
    )
    ProjectFactory(school=cast.school_a, school_year=year, title="Tw'haïku en 5e", featured_by_dane=True)
    HelpRequestFactory(school=cast.school_a, school_year=year, subject="Tableau numérique éteint")
    school = [cast.school_a.uai, year.name]
    exports = {
        "activite-referent": (cast.referent_a, reverse("missions:activity_export")),
        "activite-etablissement": (cast.principal_a, reverse("missions:school_activity_export", args=school)),
        "echeancier": (cast.principal_a, reverse("imp:schedule_csv", args=school)),
        "mes-imp": (cast.referent_a, reverse("imp:mine_csv")),
        "paie": (cast.rectorat, reverse("imp:payroll_csv")),
        "etablissements": (cast.dane, reverse("dashboard:schools_csv")),
        "projets": (cast.dane, reverse("recognition:dane_projects_csv")),
        "demandes": (cast.principal_a, reverse("helpdesk:figures", args=[cast.school_a.uai]) + "?format=csv"),
    }
    for name, (user, url) in exports.items():
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body, name
        (tmp_path / f"{name}.csv").write_bytes(body)

    out = tmp_path / "out"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--norestore",
            f"--infilter={FRENCH_CSV_FILTER}",
            "--convert-to",
            "fods",
            "--outdir",
            str(out),
            *sorted(str(p) for p in tmp_path.glob("*.csv")),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    sheets = {name: read_fods(out / f"{name}.fods") for name in exports}

    schedule = sheets["echeancier"]
    assert [t for _k, _v, t in schedule[0]] == ["uai", "nom", "prenom", "mission", "mois", "montant"]
    amounts = column(schedule, "montant")
    assert {kind for kind, _v, _t in amounts} == {"float"}
    assert sum(float(value) for _k, value, _t in amounts) == 1875.0
    assert ("string", None, "Référent") in column(schedule, "nom")
    assert ("string", None, '\'=HYPERLINK("https://evil.example")') in column(schedule, "nom")  # text, not a formula
    assert {kind for kind, _v, _t in column(sheets["mes-imp"], "montant")} == {"float"}

    payroll = sheets["paie"]
    for name in ("taux annuel (€)", "montant (€)"):
        assert {kind for kind, _v, _t in column(payroll, name)} == {"float"}, name
    assert ("float", "1250") in [(kind, value) for kind, value, _t in column(payroll, "taux annuel (€)")]
    # "novembre 2026" is a month that French Calc understands: the date of its first day.
    assert ("date", f"{year.start_year}-11-01") in [cell[:2] for cell in column(payroll, "mois (libellé)")]
    assert ("string", None, cast.school_a.name) in column(payroll, "établissement")

    for name in ("activite-referent", "activite-etablissement"):
        log = sheets[name]
        assert [cell[:2] for cell in column(log, "heures")] == [("float", "1.5")]
        assert [cell[:2] for cell in column(log, "minutes")] == [("float", "90")]
        assert column(log, "date")[0][0] == "date"  # jj/mm/aaaa is a date in French Calc
        assert column(log, "description") == [("string", None, "Vidéoprojecteur à régler")]
        assert column(log, "prénom") == [("string", None, "Romain")]

    schools = sheets["etablissements"]
    row_a = next(row for row in schools[1:] if row[0][2] == cast.school_a.uai)
    header = [t for _k, _v, t in schools[0]]
    by_name = dict(zip(header, row_a, strict=False))
    assert by_name["IMP validées (€)"][:2] == ("float", "1875")
    assert by_name["Heures d'activité"][:2] == ("float", "1.5")
    assert by_name["Nom"] == ("string", None, cast.school_a.name)

    requests = {row[0][2]: row[1][:2] for row in sheets["demandes"][1:]}
    assert requests["Demandes de l'année"] == ("float", "1")  # a number, and the accent intact
    assert requests["Transmises à la collectivité"] == ("float", "0")

    projects = sheets["projets"]
    assert ("string", None, "Tw'haïku en 5e") in column(projects, "projet")
    assert re.fullmatch(r"\d{4}-\d{4}", column(projects, "année")[0][2])
