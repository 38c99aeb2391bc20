"""The one PDF renderer: a Django template, rendered to HTML, laid out by WeasyPrint.

Documents fetch nothing but the project's own static files (stylesheets, the DSFR's Marianne fonts): the
fetcher below serves them from the staticfiles finders (or the collected, hashed copies) and refuses every
other URL, so a document never touches the network or the rest of the file system. Each document has a time
limit, and comes out as a tagged PDF/UA-1 with its title and language (fr) in the metadata.

WeasyPrint 70's structure tree is mended afterwards with pikepdf (mend_structure, below): an IDTree for the
table headers' /ID, /Scope on every TH, the running footer as an artifact, and one structure element per HTML
element even when the element crosses a page break (a table stays one Table, its repeated header an artifact).
"""

import contextvars
import io
import logging
import mimetypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pikepdf
import weasyprint
import weasyprint.pdf.tags
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import translation
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse

# The base URL of every document. ".invalid" never resolves (RFC 2606): the fetcher answers for it alone.
DOCUMENT_ORIGIN = "https://rupn.invalid"
PDF_VARIANT = "pdf/ua-1"


class DocumentError(Exception):
    """A document could not be rendered (refused resource, time limit, layout failure)."""


class DocumentTimeout(DocumentError):
    """A document took longer than its time limit."""


class StaticFilesURLFetcher(weasyprint.URLFetcher):
    """Serve DOCUMENT_ORIGIN + STATIC_URL + <path> from the project's static files; refuse anything else."""

    def __init__(self):
        # fail_on_errors: a refused or missing resource stops the document instead of printing it without.
        super().__init__(allowed_protocols=("https",), allow_redirects=False, fail_on_errors=True)

    def fetch(self, url, headers=None):
        path = static_file_for(url)
        if path is None:
            raise PermissionError(f"Refused outside the project's static files: {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def static_file_for(url: str) -> Path | None:
    """The static file a document URL names, or None when the URL is not one of ours."""
    parts = urlsplit(url)
    prefix = urlsplit(settings.STATIC_URL).path
    if f"{parts.scheme}://{parts.netloc}" != DOCUMENT_ORIGIN or parts.query or not parts.path.startswith(prefix):
        return None
    name = unquote(parts.path.removeprefix(prefix))
    if not name or name.startswith("/") or "\\" in name or ".." in name.split("/"):
        return None
    found = finders.find(name)
    if found:
        return Path(found)
    # In production, {% static %} gives the collected, hashed names: serve those from STATIC_ROOT.
    if hasattr(staticfiles_storage, "path") and staticfiles_storage.exists(name):
        return Path(staticfiles_storage.path(name))
    return None


# The stylesheets of every document: parsed once per thread (with their fonts, which WeasyPrint decodes and
# registers with Fontconfig) rather than once per document, and again when a stylesheet file changes.
PDF_STYLESHEETS = ("css/documents.css", "css/documents-print.css")
_styles = threading.local()


def _document_styles(fetcher: StaticFilesURLFetcher) -> tuple[FontConfiguration, list[weasyprint.CSS]]:
    urls = [f"{DOCUMENT_ORIGIN}{static(name)}" for name in PDF_STYLESHEETS]
    version = tuple(path.stat().st_mtime_ns if (path := static_file_for(url)) else 0 for url in urls)
    cached = getattr(_styles, "value", None)
    if cached is None or cached[0] != version:
        font_config = FontConfiguration()
        stylesheets = [weasyprint.CSS(url=url, url_fetcher=fetcher, font_config=font_config) for url in urls]
        cached = _styles.value = (version, font_config, stylesheets)
    return cached[1], cached[2]


_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("rupn_pdf_deadline", default=None)


class _DeadlineFilter(logging.Filter):
    """WeasyPrint logs each step and each laid-out page: past the deadline, that log line stops the document.

    A logger's own filters run outside logging's error handling, so the exception reaches the renderer.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        deadline = _deadline.get()
        if deadline is not None and time.monotonic() > deadline:
            raise DocumentTimeout(record.getMessage())
        return False  # the progress lines themselves are not worth a log entry


_progress_logger = logging.getLogger("weasyprint.progress")
_progress_logger.setLevel(logging.INFO)
_progress_logger.propagate = False
_progress_logger.addFilter(_DeadlineFilter())


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def render_pdf(template_name: str, context: dict, *, timeout: float | None = None) -> bytes:
    """Render a template to PDF bytes. The template sets <html lang="fr"> and <title> (the PDF's metadata)."""
    with translation.override("fr"):
        html = render_to_string(template_name, context)
    try:
        return html_to_pdf(html, timeout=timeout)
    except DocumentError as error:
        raise type(error)(f"{template_name}: {error}") from None


def html_to_pdf(html: str, *, timeout: float | None = None) -> bytes:
    """Lay out an HTML document (relative URLs are static files) as a tagged PDF/UA-1, within the time limit.

    The documents' stylesheets (PDF_STYLESHEETS, with the Marianne fonts) are added here, not linked by the HTML.
    """
    seconds = timeout if timeout is not None else settings.PDF_RENDER_TIMEOUT
    fetcher = StaticFilesURLFetcher()
    document = weasyprint.HTML(string=html, base_url=f"{DOCUMENT_ORIGIN}/", url_fetcher=fetcher)
    try:
        font_config, stylesheets = _document_styles(fetcher)
        with _time_limit(seconds):
            pdf = document.write_pdf(pdf_variant=PDF_VARIANT, stylesheets=stylesheets, font_config=font_config)
        return mend_structure(pdf)
    except DocumentTimeout as error:
        raise DocumentTimeout(f"longer than {seconds:g} s (stopped at: {error})") from None
    except FatalURLFetchingError as error:  # a BaseException: turn it into an ordinary error
        raise DocumentError(f"{error} ({error.__cause__})") from None


# --- The structure tree (PDF/UA) ------------------------------------------------------------------------------
#
# What WeasyPrint 70 writes and ISO 32000-1 / PDF/UA-1 (ISO 14289-1) want otherwise, mended here until it is
# fixed upstream (weasyprint/pdf/tags.py; see README "Printed documents"):
# - TH cells get an /ID and TD cells /Headers pointing at them, but the StructTreeRoot has no /IDTree (14.7.2);
# - TH cells have no /Scope attribute (14.8.5.7, PDF/UA 7.5);
# - the page margin boxes ("page N / M") are tagged as NonStruct elements that no element of the tree reaches:
#   they become /Artifact /Pagination /Footer marked content (PDF/UA 7.8);
# - the tree is built page by page, so an element that crosses a page break (a section, a table, a paragraph)
#   becomes one element per page, and a repeated table header is tagged again on each page: the fragments are
#   joined into one element and the repeated header becomes an /Artifact /Pagination /Header.
# To know which fragments belong to one HTML element, each element WeasyPrint creates is marked with the HTML
# element it comes from (RupnKey, removed afterwards).

_KEY = "/RupnKey"
_build_box_tree = weasyprint.pdf.tags._build_box_tree


def _build_box_tree_with_keys(box, parent, pdf, *args):
    """WeasyPrint's own _build_box_tree, each element it yields marked with the HTML element of its box."""
    for element in _build_box_tree(box, parent, pdf, *args):
        if "RupnKey" not in element:  # the innermost call is the one that made it
            source = getattr(box, "_box", box).element
            element["RupnKey"] = weasyprint.pdf.tags.pydyf.String(f"{id(source)}:{element['S']}")
        yield element


weasyprint.pdf.tags._build_box_tree = _build_box_tree_with_keys


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _is_element(obj) -> bool:
    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj


def _key(element) -> str | None:
    return str(element[_KEY]) if _KEY in element else None


def _marked_content(element, page=None) -> Iterator[tuple[tuple[int, int], int]]:
    """(page objgen, MCID) of every marked-content sequence under a structure element."""
    page = element.get("/Pg", page)
    for kid in _kids(element):
        if isinstance(kid, int):
            yield page.objgen, kid
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            yield kid.get("/Pg", page).objgen, int(kid.MCID)
        elif _is_element(kid):
            yield from _marked_content(kid, page)


def _reachable(root) -> set[tuple[int, int]]:
    seen: set[tuple[int, int]] = set()
    stack = _kids(root)
    while stack:
        element = stack.pop()
        if _is_element(element) and element.objgen not in seen:
            seen.add(element.objgen)
            stack.extend(_kids(element))
    return seen


def _detach(element) -> None:
    parent = element.get("/P")
    if parent is not None and "/K" in parent:
        parent.K = pikepdf.Array([k for k in _kids(parent) if not (_is_element(k) and k.objgen == element.objgen)])


def _join(into, fragment, renamed: dict, repeated: list) -> None:
    """Move the kids of a later page's fragment into the element it continues, then join their own fragments.

    A table's fragment starts with its header row repeated: that THead is kept out (in repeated, to be made an
    artifact), and the body that follows it continues the table's body."""
    last = next((k for k in reversed(_kids(into)) if _is_element(k)), None)
    has_head = into.S == "/Table" and any(_is_element(k) and k.S == "/THead" for k in _kids(into))
    moved = []
    for kid in _kids(fragment):
        if isinstance(kid, int):  # a bare MCID belongs to the fragment's page
            kid = pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=fragment.Pg, MCID=kid)
        elif _is_element(kid):
            if has_head and kid.S == "/THead":
                repeated.append(kid)
                continue
            kid.P = into
        moved.append(kid)
    into.K = pikepdf.Array(_kids(into) + moved)
    _detach(fragment)
    fragment.K = pikepdf.Array()
    renamed[fragment.objgen] = into
    first = next((k for k in moved if _is_element(k)), None)
    if last is not None and first is not None and _key(last) is not None and _key(last) == _key(first):
        _join(last, first, renamed, repeated)


def mend_structure(data: bytes) -> bytes:
    """The PDF with its structure tree mended (see above); documents without a tree come back unchanged."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return data
        (document,) = _kids(root)
        artifacts: dict[tuple[tuple[int, int], int], str] = {}

        # Fragments of one HTML element on consecutive pages: the first on a page continues the last of the page
        # before when both come from the same element.
        renamed: dict[tuple[int, int], object] = {}
        repeated: list = []  # the THead of each table fragment after the first
        top = _kids(document)
        for before, after in zip(top, top[1:], strict=False):
            if (
                before.get("/Pg") is not None
                and after.get("/Pg") is not None
                and before.Pg.objgen != after.Pg.objgen
                and _key(before) is not None
                and _key(before) == _key(after)
            ):
                _join(renamed.get(before.objgen, before), after, renamed, repeated)

        reachable = _reachable(root)
        elements = [obj for obj in pdf.objects if _is_element(obj) and "/P" in obj]
        tables = [e for e in elements if e.objgen in reachable and e.S == "/Table"]

        # A repeated header row: an artifact; the cells below it point at the first header's cells instead.
        for head in repeated:
            for mark in _marked_content(head):
                artifacts[mark] = "/Header"
            head.K = pikepdf.Array()
        ids = {}
        for table in tables:
            first_head = next((k for k in _kids(table) if _is_element(k) and k.S == "/THead"), None)
            if first_head is not None:
                for cell in _descendants(first_head):
                    if cell.S == "/TH" and "/ID" in cell:
                        ids.setdefault(id(table), {})[str(cell.ID).split("-", 1)[1]] = cell.ID

        reachable = _reachable(root)
        live = [e for e in elements if e.objgen in reachable]
        header_ids = {str(e.ID) for e in live if "/ID" in e}
        for table in tables:
            position = ids.get(id(table), {})
            for cell in _descendants(table):
                if cell.S == "/TD" and "/A" in cell and "/Headers" in cell.A:
                    cell.A.Headers = pikepdf.Array(
                        [
                            h if str(h) in header_ids else position.get(str(h).split("-", 1)[1], h)
                            for h in cell.A.Headers
                        ]
                    )

        # What no element reaches (the margin boxes' footer): artifacts.
        for element in elements:
            if element.objgen not in reachable:
                for mark in _marked_content(element):
                    artifacts.setdefault(mark, "/Footer")

        # /Scope on every TH: a header cell of a header row (THead, or a row of headers only) heads its column,
        # one beside data cells heads its row.
        for cell in live:
            if cell.S == "/TH":
                row = cell.P
                in_head = row.P.get("/S") == "/THead"
                only_headers = all(k.S == "/TH" for k in _kids(row) if _is_element(k))
                attributes = cell.get("/A") or pikepdf.Dictionary(O=pikepdf.Name.Table)
                attributes.Scope = pikepdf.Name.Column if in_head or only_headers else pikepdf.Name.Row
                cell.A = attributes

        # The IDTree: every /ID of the tree, sorted, in one leaf.
        names = sorted((str(e.ID), e) for e in live if "/ID" in e)
        if names:
            root.IDTree = pdf.make_indirect(
                pikepdf.Dictionary(Names=pikepdf.Array([v for name, e in names for v in (pikepdf.String(name), e)]))
            )

        _mark_artifacts(pdf, artifacts)
        _mend_parent_tree(root, renamed, artifacts, pdf)
        for element in elements:
            if _KEY in element:
                del element[_KEY]
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _descendants(element) -> Iterator:
    for kid in _kids(element):
        if _is_element(kid):
            yield kid
            yield from _descendants(kid)


def _mark_artifacts(pdf, artifacts: dict[tuple[tuple[int, int], int], str]) -> None:
    """Turn these marked-content sequences (page, MCID) into /Artifact /Pagination sequences of that subtype."""
    for page in pdf.pages:
        wanted = {mcid: subtype for (page_id, mcid), subtype in artifacts.items() if page_id == page.obj.objgen}
        if not wanted:
            continue
        instructions = []
        for operands, operator in pikepdf.parse_content_stream(page):
            if (
                str(operator) == "BDC"
                and len(operands) == 2
                and isinstance(operands[1], pikepdf.Dictionary)
                and "/MCID" in operands[1]
                and int(operands[1].MCID) in wanted
            ):
                subtype = wanted[int(operands[1].MCID)]
                operands = [
                    pikepdf.Name.Artifact,
                    pikepdf.Dictionary(Type=pikepdf.Name.Pagination, Subtype=pikepdf.Name(subtype)),
                ]
            instructions.append(pikepdf.ContentStreamInstruction(operands, operator))
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))


def _mend_parent_tree(root, renamed, artifacts, pdf) -> None:
    """The ParentTree maps no artifact to an element, and no MCID to a fragment that was joined into another."""
    pages = {page.obj.get("/StructParents"): page.obj.objgen for page in pdf.pages}
    nums = root.ParentTree.Nums
    for index in range(0, len(nums), 2):
        key, value = int(nums[index]), nums[index + 1]
        if isinstance(value, pikepdf.Array):
            page_id = pages.get(key)
            nums[index + 1] = pikepdf.Array(
                [
                    None if (page_id, mcid) in artifacts else renamed.get(e.objgen, e) if _is_element(e) else e
                    for mcid, e in enumerate(value)
                ]
            )
        elif _is_element(value):
            nums[index + 1] = renamed.get(value.objgen, value)
