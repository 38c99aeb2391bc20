"""Benchmark of the printed documents: one CA sheet, and a batch of 300 schools (make bench).

Builds a throwaway SQLite database under var/ (300 collèges with staff and filled plans), then measures, each in
a fresh Python process as a Celery worker would run it:

- one CA sheet: seconds per sheet (reading the plan + rendering the PDF) over several schools, peak memory;
- the batch: documents.printing.print_batch_run over the 300 schools into one ZIP, seconds, peak memory, and the
  memory after every 50 schools (it must stay flat).

Goals (issue 4): under 0.5 s per sheet, peak worker memory under 300 MB for the 300-school batch.
The results replace the "documents" section of bench/RESULTS.md.
"""

import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _results import replace_section

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DATABASE = VAR / "bench-documents.sqlite3"
MEDIA = VAR / "bench-documents-media"
SCHOOLS = 300
SHEETS = 20  # sheets timed in the single-sheet run
GOAL_SECONDS_PER_SHEET = 0.5
GOAL_PEAK_MB = 300
START, END = "<!-- bench/documents.py: start -->", "<!-- bench/documents.py: end -->"


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "rupn.settings.base"
    os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    os.environ["REDIS_URL"] = ""
    os.environ["MEDIA_ROOT"] = str(MEDIA)
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["DEBUG"] = "false"  # as in production: no query log, stylesheets parsed once per process
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def rss_mb() -> float:
    """Resident memory now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


# --- Data ------------------------------------------------------------------------------------------------


def build_data() -> None:
    """300 collèges in four départements, 15 staff each, every plan filled in with two services."""
    from django.core.management import call_command

    from missions.models import PlanRow
    from missions.services import plan_get_or_create
    from schools.models import Academie, AuthorizedAction, Collectivity, Departement, Person, School, SchoolYear
    from schools.uai import uai_check_letter

    call_command("migrate", verbosity=0)
    year = SchoolYear.current()
    academie = Academie.objects.create(code="07", name="Dijon")
    departements = [
        Departement.objects.create(code=code, name=name, academie=academie)
        for code, name in [("21", "Côte-d'Or"), ("58", "Nièvre"), ("71", "Saône-et-Loire"), ("89", "Yonne")]
    ]
    councils = {
        d.pk: Collectivity.objects.create(
            code=f"CD{d.code}", name=f"Conseil départemental {d.name}", kind="departement"
        )
        for d in departements
    }
    for council in councils.values():
        AuthorizedAction.objects.create(
            collectivity=council, school_year=year, action="amon", convention_reference=f"{council.code}-NUM-01"
        )
    first_names = ["Hélène", "François", "Zoé", "Loïc", "Anaïs", "Jérôme", "Maëlle", "Noël", "Françoise", "Cécile"]
    last_names = ["Bérégovoy", "Lefèvre", "Cœurderoy", "Gaëtan", "Mérieux", "Ducrocq", "Peña", "Müller", "Dupré"]
    for index in range(SCHOOLS):
        departement = departements[index % 4]
        digits = f"0{departement.code}{9000 + index:04d}"
        school = School.objects.create(
            uai=digits + uai_check_letter(digits),
            name=f"Collège Élisabeth-Étienne n° {index + 1}",
            kind="college",
            commune="Saint-Étienne-du-Bois",
            postal_code=f"{departement.code}000",
            departement=departement,
            collectivity=councils[departement.pk],
        )
        staff = Person.objects.bulk_create(
            Person(
                school=school,
                first_name=first_names[i % len(first_names)],
                last_name=f"{last_names[i % len(last_names)]}-{i}",
                leaving=i == 3,
            )
            for i in range(15)
        )
        plan = plan_get_or_create(school=school, school_year=year)
        for name, holder in [("BRNE", staff[1]), ("Pearltrees", staff[2])]:
            PlanRow.objects.create(plan=plan, mission_id=_mission_id("tools.services"), service_name=name).holders.add(
                holder
            )
        through = PlanRow.holders.through
        rows = list(plan.rows.select_related("mission").order_by("mission__position", "pk"))
        through.objects.bulk_create(
            through(planrow_id=row.pk, person_id=staff[(i + k) % 4].pk)
            for i, row in enumerate(rows)
            if not row.service_name
            for k in range(1 + i % 2)
        )


_missions: dict[str, int] = {}


def _mission_id(code: str) -> int:
    from missions.models import Mission

    if not _missions:
        _missions.update(Mission.objects.values_list("code", "pk").order_by("pk"))
    return _missions[code]


# --- Measures (each in a fresh process) -------------------------------------------------------------------


def measure_sheets() -> dict:
    from pypdf import PdfReader

    from documents.content import ca_sheet_data, load_plan, render_ca_sheet
    from missions.models import AllocationPlan

    plan_ids = list(AllocationPlan.objects.order_by("pk").values_list("pk", flat=True)[: SHEETS + 1])
    first_start = time.perf_counter()
    pdf = render_ca_sheet(ca_sheet_data(load_plan(plan_ids[0])))
    first = time.perf_counter() - first_start
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    timings, cpu = [], []
    for plan_id in plan_ids[1:]:
        start, start_cpu = time.perf_counter(), time.process_time()
        render_ca_sheet(ca_sheet_data(load_plan(plan_id)))
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "first": first,
        "median": statistics.median(timings),
        "mean": statistics.fmean(timings),
        "max": max(timings),
        "cpu_median": statistics.median(cpu),
        "count": len(timings),
        "pages": pages,
        "peak_mb": peak_mb(),
    }


def measure_batch() -> dict:
    from documents import printing
    from documents.models import PrintBatch
    from missions.models import AllocationPlan
    from schools.models import Academie, SchoolYear, User

    user = User.objects.create_user(email=f"bench-{time.time_ns()}@ac-dijon.fr")
    batch = PrintBatch.objects.create(
        requested_by=user, academie=Academie.objects.get(), school_year=SchoolYear.current()
    )
    samples: list[tuple[int, float]] = [(0, rss_mb())]
    render = printing.render_ca_sheet

    def sampled(sheet):
        pdf = render(sheet)
        done = len(samples_done) + 1
        samples_done.append(done)
        if done % 50 == 0:
            samples.append((done, rss_mb()))
        return pdf

    samples_done: list[int] = []
    printing.render_ca_sheet = sampled
    start, start_cpu = time.perf_counter(), time.process_time()
    state = printing.print_batch_run(batch.pk)
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    batch.refresh_from_db()
    size = Path(batch.file.path).stat().st_size if batch.file else 0
    return {
        "state": state,
        "schools": batch.done,
        "plans": AllocationPlan.objects.count(),
        "failures": len(batch.failures),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "per_school": seconds / max(batch.done, 1),
        "zip_mb": size / 2**20,
        "rss_samples": samples,
        "peak_mb": peak_mb(),
    }


def child(kind: str) -> dict:
    """Run one measure in a fresh interpreter (as a worker process would) and read back its JSON."""
    output = subprocess.run(
        [sys.executable, __file__, "--measure", kind], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# --- Report ----------------------------------------------------------------------------------------------


def report(sheets: dict, batch: dict, build_seconds: float) -> str:
    import weasyprint

    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    ok_sheet = sheets["median"] < GOAL_SECONDS_PER_SHEET
    ok_memory = batch["peak_mb"] < GOAL_PEAK_MB
    samples = ", ".join(f"{n}: {mb:.0f} MB" for n, mb in batch["rss_samples"])
    return f"""{START}
## Documents (bench/documents.py)

Run on {time.strftime("%Y-%m-%d %H:%M")} — {platform.machine()}, {os.cpu_count()} cores (load average
{load}: other work shared the machine; CPU seconds are the process's own), Python {platform.python_version()},
WeasyPrint {weasyprint.__version__}, SQLite throwaway database ({SCHOOLS} collèges, 15 staff and a filled plan each:
the seed's table, two services, accents everywhere; data built in {build_seconds:.0f} s). Each measure runs in a
fresh process, as a Celery worker would, with DEBUG off.

| measure | result | goal |
|---|---|---|
| one CA sheet, first of the process (fonts loaded) | {sheets["first"]:.2f} s | |
| one CA sheet, median of {sheets["count"]} (read + render, {sheets["pages"]} pages) | {sheets["median"]:.2f} s (mean {sheets["mean"]:.2f}, max {sheets["max"]:.2f}; CPU {sheets["cpu_median"]:.2f} s) | < {GOAL_SECONDS_PER_SHEET} s {"✅" if ok_sheet else "❌"} |
| peak memory, single-sheet process | {sheets["peak_mb"]:.0f} MB | |
| batch of {batch["schools"]} schools into one ZIP | {batch["seconds"]:.0f} s ({batch["per_school"]:.2f} s per school; CPU {batch["cpu_seconds"]:.0f} s), {batch["zip_mb"]:.1f} MB ZIP, {batch["failures"]} failures | |
| peak memory, batch process | {batch["peak_mb"]:.0f} MB | < {GOAL_PEAK_MB} MB {"✅" if ok_memory else "❌"} |
| memory during the batch (after N schools) | {samples} | flat |

{END}"""


def write_results(section: str) -> None:
    replace_section(START, END, section)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        setup_django()
        result = measure_sheets() if sys.argv[2] == "sheets" else measure_batch()
        print(json.dumps(result))
        return
    VAR.mkdir(exist_ok=True)
    DATABASE.unlink(missing_ok=True)
    shutil.rmtree(MEDIA, ignore_errors=True)
    try:
        setup_django()
        start = time.perf_counter()
        build_data()
        build_seconds = time.perf_counter() - start
        print(f"bench/documents.py: {SCHOOLS} schools built in {build_seconds:.0f} s; measuring…", flush=True)
        sheets = child("sheets")
        batch = child("batch")
        section = report(sheets, batch, build_seconds)
        write_results(section)
        print(section)
        if batch["state"] != "done" or batch["schools"] != SCHOOLS or batch["failures"]:
            sys.exit(f"The batch did not print every school: {batch}")
    finally:
        DATABASE.unlink(missing_ok=True)
        shutil.rmtree(MEDIA, ignore_errors=True)


if __name__ == "__main__":
    main()
