"""Benchmark of the school directory import: 10 000 generated rows, goal under 30 s.

    make bench                      (every bench/*.py script, in order)
    .venv/bin/python bench/import_schools.py [--rows 10000] [--no-record]

The database is a throwaway SQLite file unless BENCH_DATABASE_URL names another one (for instance the
PostgreSQL server of `make test`); the bench migrates it, imports the generated "Annuaire de l'éducation" file
four times (first load, the same file again, one name in ten changed, then name, address and date of every
school changed) and appends the timings to
bench/RESULTS.md. Generated rows use the académie de Dijon's four départements and the real column layout of
the 2026 export (71 columns), with the spreadsheet-mangled values the importer accepts.
"""

import argparse
import datetime
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from _results import replace_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL_SECONDS = 30


def generate(path: Path, rows: int, *, renamed_every: int = 0, all_changed: bool = False) -> None:
    """An annuaire export of `rows` schools: collèges (CD) and lycées (région), a few sections and private ones."""
    from schools.uai import uai_check_letter

    header = (ROOT / "tests" / "schools" / "data" / "annuaire_2026_excerpt.csv").read_text().splitlines()[0]
    columns = header.split(";")
    departements = ["21", "58", "71", "89"]
    natures = ["340", "340", "340", "300", "306", "320", "390"]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header + "\r\n")
        for n in range(rows):
            dep = departements[n % 4]
            digits = f"0{dep}{n // 4:04d}"
            nature = natures[n % len(natures)]
            private = n % 13 == 0
            values = dict.fromkeys(columns, "")
            renamed = all_changed or (renamed_every and n % renamed_every == 0)
            name = f"Établissement {n}" + (" (nouveau nom)" if renamed else "")
            values.update(
                {
                    "Identifiant_de_l_etablissement": digits + uai_check_letter(digits),
                    "Nom_etablissement": name,
                    "Type_etablissement": "Collège" if nature in ("340", "390") else "Lycée",
                    "Statut_public_prive": "Privé" if private else "Public",
                    "Adresse_1": f"{n} {'avenue' if all_changed else 'rue'} de la République",
                    "Code_postal": f"{dep}000",
                    "Nom_commune": f"Commune {n % 300}",
                    "Code_departement": dep,
                    "Code_academie": "7",
                    "Code_region": "27",
                    "SIREN_SIRET": "1,921E+13",
                    "date_ouverture": "01/09/1976" if all_changed else "01/09/1975",
                    "etat": "OUVERT",
                    "ministere_tutelle": "MINISTERE DE L'EDUCATION NATIONALE",
                    "code_nature": nature,
                    "Code_type_contrat_prive": "30" if private else "99",
                }
            )
            out.write(";".join(values[c] for c in columns) + "\r\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--no-record", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="rupn-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rupn.settings.test")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["REDIS_URL"] = ""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from schools.models import School
    from schools.services import school_directory_import

    call_command("migrate", verbosity=0)
    School.objects.filter(uai__regex=r"^0(21|58|71|89)[0-9]{4}").delete()  # a previous run on the same database
    first_file, renamed_file = workdir / "annuaire.csv", workdir / "annuaire-renamed.csv"
    changed_file = workdir / "annuaire-changed.csv"
    generate(first_file, args.rows)
    generate(renamed_file, args.rows, renamed_every=10)
    generate(changed_file, args.rows, all_changed=True)

    timings = []
    for label, path in (
        ("first import", first_file),
        ("same file again", first_file),
        ("1 name in 10 changed", renamed_file),
        ("every school changed", changed_file),
    ):
        started = time.perf_counter()
        with path.open("rb") as stream:
            result = school_directory_import(stream=stream)
        elapsed = time.perf_counter() - started
        timings.append((label, elapsed, result))
        print(
            f"{label:22} {elapsed:6.2f} s  created {result.created}, updated {result.updated}, "
            f"unchanged {result.unchanged}, skipped {result.skipped}"
        )
    worst = max(t for _label, t, _r in timings)
    verdict = "OK" if worst < GOAL_SECONDS else "TOO SLOW"
    print(f"{verdict}: slowest run {worst:.2f} s for {args.rows} rows (goal < {GOAL_SECONDS} s)")

    if not args.no_record:
        if connection.vendor == "postgresql":
            vendor = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
        else:
            vendor = f"{connection.vendor} {connection.Database.sqlite_version}"
        kind = connection.vendor
        start, end = f"<!-- bench/import_schools.py {kind}: start -->", f"<!-- bench/import_schools.py {kind}: end -->"
        lines = [
            f"{start}\n## Directory import on {vendor} (bench/import_schools.py)\n\n",
            f"Run on {datetime.datetime.now():%Y-%m-%d %H:%M}: {args.rows} rows, {platform.python_implementation()} "
            f"{platform.python_version()}, {vendor}, {os.cpu_count()} CPUs, load average "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}. Goal: under {GOAL_SECONDS} s. **{verdict}**\n",
            "\n| run | seconds | created | updated | unchanged | skipped |\n|---|---|---|---|---|---|\n",
        ]
        for label, elapsed, result in timings:
            lines.append(
                f"| {label} | {elapsed:.2f} | {result.created} | {result.updated} | {result.unchanged} | "
                f"{result.skipped} |\n"
            )
        lines.append(f"{end}")
        section = "".join(lines)
        replace_section(start, end, section)
    return 0 if worst < GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
