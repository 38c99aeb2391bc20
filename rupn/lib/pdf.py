"""The one PDF renderer: a Django template, rendered to HTML, laid out by WeasyPrint.

Documents fetch nothing but the project's own static files (stylesheets, the DSFR's Marianne fonts): the
fetcher below serves them from the staticfiles finders (or the collected, hashed copies) and refuses every
other URL, so a document never touches the network or the rest of the file system. Each document has a time
limit, and comes out as a tagged PDF/UA-1 with its title and language (fr) in the metadata.
"""

import contextvars
import logging
import mimetypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
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
            return document.write_pdf(pdf_variant=PDF_VARIANT, stylesheets=stylesheets, font_config=font_config)
    except DocumentTimeout as error:
        raise DocumentTimeout(f"longer than {seconds:g} s (stopped at: {error})") from None
    except FatalURLFetchingError as error:  # a BaseException: turn it into an ordinary error
        raise DocumentError(f"{error} ({error.__cause__})") from None
