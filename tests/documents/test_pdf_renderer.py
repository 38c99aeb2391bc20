"""The one renderer (rupn/lib/pdf.py): our static files only, Marianne embedded, tagged PDF/UA-1, a time limit."""

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from pypdf import PdfReader

from rupn.lib import pdf
from rupn.lib.pdf import DocumentError, DocumentTimeout, StaticFilesURLFetcher, html_to_pdf, static_file_for

ACCENTS = "é è ç œ « » € À É"


def page(body: str, *, head: str = "") -> str:
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Essai « accentué »</title>'
        f"{head}</head>"
        f'<body class="rupn-doc">{body}</body></html>'
    )


def fonts_of(reader: PdfReader) -> set[str]:
    return {
        str(font.get_object()["/BaseFont"]).split("+", 1)[-1]
        for pdf_page in reader.pages
        for font in pdf_page["/Resources"]["/Font"].values()
    }


def test_accents_come_out_intact_in_marianne_only():
    reader = PdfReader(io.BytesIO(html_to_pdf(page(f"<h1>Été</h1><p>{ACCENTS} <em>{ACCENTS}</em></p>"))))

    text = reader.pages[0].extract_text()
    assert text.count(ACCENTS) == 2
    # Every glyph came from the shipped Marianne: no fallback font, so no missing glyph anywhere.
    assert fonts_of(reader) == {"Marianne", "Marianne-Bold", "Marianne-Italic"}


def test_pdf_is_tagged_pdf_ua_with_title_and_language():
    reader = PdfReader(io.BytesIO(html_to_pdf(page("<p>Bonjour</p>"))))
    catalog = reader.trailer["/Root"]

    assert reader.metadata.title == "Essai « accentué »"
    assert catalog["/Lang"] == "fr"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert 'pdfuaid:part="1"' in catalog["/Metadata"].get_object().get_data().decode()
    assert reader.pdf_header == "%PDF-1.7"


def test_pages_are_a4_and_numbered_page_n_of_m():
    body = "".join(f"<p>Ligne {i}</p>" for i in range(150))
    reader = PdfReader(io.BytesIO(html_to_pdf(page(body))))

    assert len(reader.pages) >= 2
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    for number, pdf_page in enumerate(reader.pages, start=1):
        assert f"page {number} / {len(reader.pages)}" in pdf_page.extract_text()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/logo.png",
        "http://rupn.invalid/static/css/documents.css",
        "file:///etc/hostname",
        "https://rupn.invalid/static/../../../../etc/hostname",
        "https://rupn.invalid/static/%2e%2e/%2e%2e/settings.py",
        "https://rupn.invalid/etc/hostname",
        "https://rupn.invalid/static/css/documents.css?x=1",
        "https://rupn.invalid/static/css/nothing-here.css",
        "data:text/css,body{}",
    ],
)
def test_fetcher_refuses_anything_but_our_static_files(url):
    assert static_file_for(url) is None
    with pytest.raises(PermissionError):
        StaticFilesURLFetcher().fetch(url)


def test_fetcher_serves_our_css_and_the_dsfr_fonts():
    fetcher = StaticFilesURLFetcher()
    css = fetcher.fetch("https://rupn.invalid/static/css/documents.css")
    font = fetcher.fetch("https://rupn.invalid/static/dsfr/dist/fonts/Marianne-Regular.woff")
    try:
        assert css.content_type == "text/css"
        assert b".rupn-doc" in css.read()
        assert font.read(4) == b"wOFF"
    finally:
        css.close()
        font.close()


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="https://example.org/logo.png" alt="">',
        '<img src="file:///etc/hostname" alt="">',
        '<link rel="stylesheet" href="https://cdn.example.org/style.css">',
        "<style>@font-face { font-family: X; src: url(file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf); }"
        " p { font-family: X; }</style>",
    ],
)
def test_a_document_asking_for_an_outside_resource_is_refused(markup):
    with pytest.raises(DocumentError, match="Refused outside the project's static files"):
        html_to_pdf(page(f"<p>Texte</p>{markup}"))


def test_a_document_over_its_time_limit_stops():
    with pytest.raises(DocumentTimeout, match="longer than 0 s"):
        html_to_pdf(page("<p>Texte</p>"), timeout=0)


def test_the_time_limit_works_in_a_worker_thread_and_concerns_only_its_document():
    with ThreadPoolExecutor(max_workers=1) as pool:
        late = pool.submit(html_to_pdf, page("<p>Texte</p>"), timeout=0)
        with pytest.raises(DocumentTimeout):
            late.result()
        assert pool.submit(html_to_pdf, page("<p>Texte</p>"), timeout=30).result().startswith(b"%PDF")


def test_stylesheets_are_parsed_once_then_again_when_a_file_changes(monkeypatch, tmp_path):
    fetcher = StaticFilesURLFetcher()
    font_config, stylesheets = pdf._document_styles(fetcher)
    assert pdf._document_styles(fetcher) == (font_config, stylesheets)

    real = pdf.static_file_for
    edited = tmp_path / "documents.css"
    edited.write_text(real("https://rupn.invalid/static/css/documents.css").read_text())
    monkeypatch.setattr(pdf, "static_file_for", lambda url: edited if url.endswith("/documents.css") else real(url))

    new_font_config, new_stylesheets = pdf._document_styles(fetcher)
    assert new_font_config is not font_config and new_stylesheets is not stylesheets
