"""The demo school's documents as PNG pages (pdftoppm), saved in test-results/documents/ to be looked at.

Checked here: nothing overflows into the side margins (the strips stay blank on every page), and the
page count and "page N / M" footers agree. Looking at the PNGs is how a person checks the rest.
"""

import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from PIL import Image

from documents.content import letter_people, load_plan
from missions.models import AllocationPlan
from schools.models import User
from tests.documents.utils import pdf_text

DEMO_UAI = "0211526V"
ARTIFACTS = Path(settings.BASE_DIR) / "test-results" / "documents"
DPI = 100
MARGIN_STRIP_MM = 12  # the pages have 15 mm side margins


def to_png_pages(pdf: bytes, stem: str) -> list[Path]:
    assert shutil.which("pdftoppm"), "pdftoppm is missing: apt-get install poppler-utils (make test does it)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{stem}-*.png"):
        old.unlink()
    source = ARTIFACTS / f"{stem}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(source), str(ARTIFACTS / stem)], check=True)
    return sorted(ARTIFACTS.glob(f"{stem}-*.png"))


def assert_side_margins_blank(png: Path):
    with Image.open(png) as image:
        gray = image.convert("L")
        strip = round(MARGIN_STRIP_MM / 25.4 * DPI)
        width, height = gray.size
        for box in [(0, 0, strip, height), (width - strip, 0, width, height)]:
            darkest, _lightest = gray.crop(box).getextrema()
            assert darkest > 240, f"{png.name}: something is drawn in the side margin {box}"


def test_the_margin_check_sees_ink_in_a_margin(tmp_path):
    png = tmp_path / "page.png"
    image = Image.new("L", (827, 1170), 255)
    image.putpixel((820, 600), 0)
    image.save(png)
    with pytest.raises(AssertionError, match="side margin"):
        assert_side_margins_blank(png)


@pytest.mark.django_db
def test_demo_school_documents_as_png_pages(client, delete_output_dir):
    """delete_output_dir: pytest-playwright empties test-results/ once per session, before this writes there."""
    call_command("load_demo", stdout=StringIO())
    client.force_login(User.objects.get(email="principal@demo.rupn.fr"))
    plan = AllocationPlan.objects.get(school__uai=DEMO_UAI, school_year__start_year=2026)
    base = f"/etablissements/{DEMO_UAI}/{plan.school_year.name}"
    documents = {f"fiche-ca-{DEMO_UAI}": f"{base}/fiche-ca.pdf"}
    for person in letter_people(load_plan(plan.pk)):
        documents[f"lettre-{DEMO_UAI}-{person.pk}"] = f"{base}/lettres/{person.pk}.pdf"
    assert len(documents) >= 3

    for stem, url in documents.items():
        response = client.get(url)
        assert response.status_code == 200, url
        reader, pages = pdf_text(response.content)
        pngs = to_png_pages(response.content, stem)

        assert len(pngs) == len(reader.pages)
        for number, (png, text) in enumerate(zip(pngs, pages, strict=True), start=1):
            assert f"page {number} / {len(pngs)}" in text
            with Image.open(png) as image:  # A4, give or take pdftoppm's rounding
                assert abs(image.width - 210 / 25.4 * DPI) < 2 and abs(image.height - 297 / 25.4 * DPI) < 2
            assert_side_margins_blank(png)
        if stem.startswith("fiche-ca"):  # the demo's CA opinion, as recorded
            text = " ".join(" ".join(pages).replace("\u00a0", " ").split())
            assert "avis favorable pour 17, contre 2, abstentions 1 délibération n° 2026-14" in text
