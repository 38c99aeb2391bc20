"""Helpers for the document tests (and the access matrix)."""

import datetime
import io
import zipfile
from pathlib import Path

from django.utils import timezone
from pypdf import PdfReader

from documents.models import PrintBatch
from missions.services import RowInput, plan_save


def done_batch(user, academie, school_year, settings, tmp_path: Path, *, expires_in_hours: int = 24) -> PrintBatch:
    """A finished batch of `user` whose ZIP (one tiny file) sits in a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    name = "impressions/test.zip"
    (tmp_path / "impressions").mkdir(exist_ok=True)
    with zipfile.ZipFile(tmp_path / name, "w") as archive:
        archive.writestr("0000000A.pdf", b"%PDF-1.7")
    now = timezone.now()
    return PrintBatch.objects.create(
        requested_by=user,
        academie=academie,
        school_year=school_year,
        state=PrintBatch.State.DONE,
        total=1,
        done=1,
        file=name,
        finished_at=now,
        expires_at=now + datetime.timedelta(hours=expires_in_hours),
    )


def pdf_text(pdf: bytes) -> tuple[PdfReader, list[str]]:
    """The PDF read back, and the text of each page."""
    reader = PdfReader(io.BytesIO(pdf))
    return reader, [page.extract_text() for page in reader.pages]


HOLDERS = {
    "support_teams": ["helene", "francois"],
    "advise_principal": ["helene"],
    "communicate": ["referent"],
    "tools.collectivity_link": ["francois"],
    "tools.tickets": ["francois", "zoe"],
    "tools.amon": ["zoe"],
    "tools.ent_admin": ["helene"],
    "tools.ent_usage": ["referent", "zoe"],
    "tools.website": ["zoe"],
}
ORGANISATION = {
    "support_teams": "Lundi et jeudi : Hélène ; projets « École numérique » : François",
    "advise_principal": "Collégiale, réunion mensuelle avec le chef d'établissement",
}


def fill_plan(plan, people, *, by, holders=HOLDERS, services=(("BRNE", "zoe"), ("Pearltrees", "helene"))):
    rows = []
    for row in plan.rows.select_related("mission").order_by("mission__position", "pk"):
        code = row.mission.code
        rows.append(
            RowInput(
                mission_code=code,
                row_id=row.pk,
                service_name=row.service_name,
                organisation=ORGANISATION.get(code, row.organisation),
                sharing="weekday" if code == "support_teams" else "",
                sharing_detail="lundi, jeudi" if code == "support_teams" else "",
                holder_ids={people[key].pk for key in holders.get(code, [])},
            )
        )
    for name, key in services:
        rows.append(RowInput(mission_code="tools.services", service_name=name, holder_ids={people[key].pk}))
    return plan_save(plan=plan, expected_version=plan.version, has_tablets=False, rows=rows, by=by)
