"""Formulas in the DANE's exports (issue 16, point 6): text a DANE can set through the directory import is
written as text in the CSV (a leading ') and as a string cell in the .xlsx, never as a formula."""

import csv
import io
import zipfile


def test_a_school_name_or_commune_that_looks_like_a_formula_stays_text(client_for, cast):
    cast.school_a.name = '=HYPERLINK("https://evil.example","x")'
    cast.school_a.commune = "@SUM(1+1)"
    cast.school_a.save(update_fields=["name", "commune"])
    client = client_for(cast.dane)

    body = b"".join(client.get("/dane/etablissements.csv").streaming_content).decode("utf-8")
    rows = {r[0]: r for r in csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";")}
    assert rows[cast.school_a.uai][1:3] == ['\'=HYPERLINK("https://evil.example","x")', "'@SUM(1+1)"]

    response = client.get("/dane/etablissements.xlsx")
    book = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    assert '<is><t>=HYPERLINK("https://evil.example","x")</t></is>' in sheet.replace("&quot;", '"')
    assert "<is><t>@SUM(1+1)</t></is>" in sheet
    assert 'state="frozen"' in sheet and "<autoFilter " in sheet
