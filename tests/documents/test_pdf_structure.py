"""The structure tree (PDF/UA-1) of every document, read back with pikepdf.

Every structure element is reachable from the root, every /ID is in the IDTree (and every TD's /Headers names
one), every TH has a /Scope, the running footer ("page N / M") is an artifact, and a table that crosses a page
break is one Table element (its repeated header row an artifact), as many Table elements as the HTML has tables.
"""

import datetime
import io

import pikepdf
import pytest
from django.template.loader import render_to_string

from documents.content import (
    CA_SHEET_TEMPLATE,
    LETTER_TEMPLATE,
    ca_sheet_data,
    letter_people,
    load_plan,
    mission_letter_data,
    render_ca_sheet,
    render_mission_letter,
)
from imp import services as imp_services
from missions.services import RowInput, plan_reopen, plan_save
from rupn.lib.pdf import html_to_pdf
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _is_element(obj) -> bool:
    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj


def tree(pdf) -> list:
    """Every structure element reachable from the StructTreeRoot, depth first."""
    found, stack, seen = [], list(reversed(_kids(pdf.Root.StructTreeRoot))), set()
    while stack:
        element = stack.pop()
        if _is_element(element) and element.objgen not in seen:
            seen.add(element.objgen)
            found.append(element)
            stack.extend(reversed(_kids(element)))
    return found


def pages_of(element, page=None) -> set:
    """The pages (objgen) that the marked content under an element lies on."""
    page = element.get("/Pg", page)
    found = set()
    for kid in _kids(element):
        if isinstance(kid, int):
            found.add(page.objgen)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            found.add(kid.get("/Pg", page).objgen)
        elif _is_element(kid):
            found |= pages_of(kid, page)
    return found


def marked_content(pdf, page) -> list[tuple[str, pikepdf.Dictionary | None]]:
    """The (tag, properties) of each marked-content sequence that the page's content stream opens."""
    found = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "BDC":
            found.append((str(operands[0]), operands[1] if isinstance(operands[1], pikepdf.Dictionary) else None))
        elif str(operator) == "BMC":
            found.append((str(operands[0]), None))
    return found


def structure_problems(data: bytes, *, html_tables: int) -> list[str]:
    """What the structure tree of this PDF gets wrong (an empty list: nothing)."""
    problems = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root.StructTreeRoot
        reachable = tree(pdf)
        reachable_ids = {e.objgen for e in reachable}
        every = [o for o in pdf.objects if _is_element(o) and "/P" in o]
        unreachable = [str(o.S) for o in every if o.objgen not in reachable_ids]
        if unreachable:
            problems.append(f"structure elements no element reaches: {unreachable}")

        # Every MCID of the ParentTree points at a reachable element; every tagged sequence of the pages is in it.
        nums = root.ParentTree.Nums
        mapped = {}
        for index in range(0, len(nums), 2):
            value = nums[index + 1]
            if isinstance(value, pikepdf.Array):
                mapped[int(nums[index])] = value
                for element in value:
                    if _is_element(element) and element.objgen not in reachable_ids:
                        problems.append(f"the ParentTree maps content to an unreachable {element.S}")
        for page in pdf.pages:
            entries = mapped.get(int(page.obj.StructParents), pikepdf.Array())
            artifacts = 0
            for tag, properties in marked_content(pdf, page):
                if tag == "/Artifact":
                    artifacts += properties is not None and properties.get("/Subtype") == "/Footer"
                elif properties is not None and "/MCID" in properties:
                    mcid = int(properties.MCID)
                    if mcid >= len(entries) or not _is_element(entries[mcid]):
                        problems.append(f"tagged content (MCID {mcid}) that no structure element owns")
            if artifacts == 0:
                problems.append(f"page {pdf.pages.index(page) + 1}: the running footer is not an artifact")

        ids = {str(e.ID) for e in reachable if "/ID" in e}
        names = root.get("/IDTree")
        in_tree = set()
        if names is not None:
            in_tree = {str(v) for v in list(names.Names)[::2]}
        if ids - in_tree:
            problems.append(f"/ID missing from the IDTree: {sorted(ids - in_tree)}")
        for element in reachable:
            attributes = element.get("/A")
            if element.S == "/TH" and (attributes is None or "/Scope" not in attributes):
                problems.append("a TH without /Scope")
            if element.S == "/TD" and attributes is not None and "/Headers" in attributes:
                missing = {str(h) for h in attributes.Headers} - in_tree
                if missing:
                    problems.append(f"a TD whose /Headers are not in the IDTree: {sorted(missing)}")
        tables = [e for e in reachable if e.S == "/Table"]
        if len(tables) != html_tables:
            problems.append(f"{len(tables)} Table elements for {html_tables} HTML tables")
        for table in tables:
            heads = [k for k in _kids(table) if _is_element(k) and k.S == "/THead"]
            if len(heads) > 1:
                problems.append("a table with its header row tagged twice")
    return problems


def spanning_tables(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return sum(len(pages_of(e)) > 1 for e in tree(pdf) if e.S == "/Table")


@pytest.fixture
def long_plan(cast, filled_plan, people):
    """The filled plan with 40 more services, so that the seed's table crosses page breaks, and both opinions."""
    plan = plan_reopen(plan=filled_plan, by=cast.principal_a)  # submitted: changed only once reopened
    rows = [
        RowInput(
            mission_code=row.mission.code,
            row_id=row.pk,
            service_name=row.service_name,
            organisation=row.organisation,
            holder_ids={p.pk for p in row.holders.all()},
        )
        for row in plan.rows.select_related("mission").prefetch_related("holders").order_by("pk")
    ]
    extra = PersonFactory(school=cast.school_a, first_name="Éloïse", last_name="Dürrenmatt")
    rows += [
        RowInput(mission_code="tools.services", service_name=f"Service numérique n° {n}", holder_ids={extra.pk})
        for n in range(40)
    ]
    plan = plan_save(plan=plan, expected_version=plan.version, has_tablets=False, rows=rows, by=cast.principal_a)
    today = datetime.date.today()
    for body, days_ago in (("cp", 2), ("ca", 1)):
        imp_services.opinion_record(
            school=cast.school_a,
            school_year=cast.school_year,
            body=body,
            date=today - datetime.timedelta(days=days_ago),
            opinion="favorable",
            votes_for=17,
            votes_against=2,
            votes_abstention=1,
            deliberation_number="2026-14" if body == "ca" else "",
            by=cast.principal_a,
        )
    return plan


def test_every_document_has_a_sound_structure_tree(long_plan):
    loaded = load_plan(long_plan.pk)
    sheet = ca_sheet_data(loaded)
    documents = {"CA sheet": (render_ca_sheet(sheet), render_to_string(CA_SHEET_TEMPLATE, {"doc": sheet}))}
    for person in letter_people(loaded):
        letter = mission_letter_data(loaded, person)
        documents[f"letter {person.full_name}"] = (
            render_mission_letter(letter),
            render_to_string(LETTER_TEMPLATE, {"doc": letter}),
        )
    assert len(documents) >= 4

    problems = {
        name: structure_problems(pdf, html_tables=html.count("<table")) for name, (pdf, html) in documents.items()
    }

    assert problems == {name: [] for name in documents}
    assert spanning_tables(documents["CA sheet"][0]) >= 1  # the case is really tested


def test_the_structure_check_finds_what_weasyprint_leaves(monkeypatch):
    """Without the mending step, the check reports the missing IDTree, Scope, footer artifact and split table."""
    rows = "".join(f"<tr><td>Mission {n}</td><td>Personne {n}</td></tr>" for n in range(90))
    html = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Essai</title></head><body>'
        '<table><thead><tr><th scope="col">Mission</th><th scope="col">Nom</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></body></html>"
    )
    mended = html_to_pdf(html)
    assert structure_problems(mended, html_tables=1) == []
    assert spanning_tables(mended) == 1

    monkeypatch.setattr("rupn.lib.pdf.mend_structure", lambda data: data)
    raw = "\n".join(structure_problems(html_to_pdf(html), html_tables=1))
    assert "structure elements no element reaches" in raw
    assert "IDTree" in raw
    assert "a TH without /Scope" in raw
    assert "the running footer is not an artifact" in raw
    assert "Table elements for 1 HTML tables" in raw
