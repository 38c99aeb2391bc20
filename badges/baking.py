"""Baking an Open Badges assertion into a badge image, and reading it back (Open Badges 2.0, "Baking").

PNG: one iTXt chunk with the keyword "openbadges" (uncompressed, no language tag), inserted before IEND; its
text is the hosted assertion's JSON. An image holds at most one such chunk: rebaking replaces it.
SVG: an <openbadges:assertion verify="ASSERTION URL"> element, first child of the root <svg>, whose CDATA
holds the assertion's JSON; the root declares xmlns:openbadges="http://openbadges.org".

Pure functions on bytes, no dependency beyond the standard library (and rupn.lib.images, which checks a PNG).
"""

import re
import struct
import zlib
from xml.etree import ElementTree

from rupn.lib.images import PNG_SIGNATURE, ImageError, png_chunks

KEYWORD = b"openbadges"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
OPENBADGES_NAMESPACE = "http://openbadges.org"


class BakingError(ValueError):
    """The bytes are not an image this module can bake or read."""


# --- PNG ----------------------------------------------------------------------------------------------------------


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, data) chunks of a PNG, CRCs checked (rupn.lib.images); BakingError when not a whole PNG."""
    try:
        return png_chunks(png)
    except ImageError as error:
        raise BakingError(str(error)) from error


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _is_openbadges_chunk(kind: bytes, data: bytes) -> bool:
    return kind in (b"iTXt", b"tEXt", b"zTXt") and data.split(b"\x00", 1)[0] == KEYWORD


def _itxt_text(data: bytes) -> str:
    """The text of an iTXt chunk: keyword\\0 compression-flag compression-method language\\0 translated\\0 text."""
    _keyword, rest = data.split(b"\x00", 1)
    compressed, rest = rest[0], rest[2:]
    _language, rest = rest.split(b"\x00", 1)
    _translated, text = rest.split(b"\x00", 1)
    return (zlib.decompress(text) if compressed else text).decode("utf-8")


def bake_png(png: bytes, text: str) -> bytes:
    """The PNG with text in its one "openbadges" iTXt chunk (an existing one is replaced)."""
    chunks = [(kind, data) for kind, data in _chunks(png) if not _is_openbadges_chunk(kind, data)]
    itxt = KEYWORD + b"\x00" + b"\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")
    body = b"".join(_chunk(kind, data) for kind, data in chunks[:-1])
    return PNG_SIGNATURE + body + _chunk(b"iTXt", itxt) + _chunk(b"IEND", b"")


def unbake_png(png: bytes) -> str | None:
    """The text of the PNG's "openbadges" iTXt chunk, or None when it has none."""
    for kind, data in _chunks(png):
        if kind == b"iTXt" and data.split(b"\x00", 1)[0] == KEYWORD:
            try:
                return _itxt_text(data)
            except (ValueError, IndexError, zlib.error) as error:
                raise BakingError("malformed openbadges chunk") from error
    return None


# --- SVG ----------------------------------------------------------------------------------------------------------

_ROOT_TAG = re.compile(r"<svg\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_EXISTING = re.compile(r"<openbadges:assertion\b.*?(?:/>|</openbadges:assertion>)", re.DOTALL)
_FORBIDDEN_SVG = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def parse_svg(svg: bytes) -> ElementTree.Element:
    """The root element of an SVG document (no DOCTYPE or entities accepted); BakingError otherwise."""
    if _FORBIDDEN_SVG.search(svg):
        raise BakingError("an SVG badge may not declare a DOCTYPE or entities")
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as error:
        raise BakingError("not well-formed XML") from error
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise BakingError("the root element is not an SVG <svg>")
    return root


def bake_svg(svg: bytes, text: str, verify_url: str) -> bytes:
    """The SVG with an <openbadges:assertion> holding text as the first child of its root (replacing any)."""
    parse_svg(svg)
    source = _EXISTING.sub("", svg.decode("utf-8"))
    match = _ROOT_TAG.search(source)
    if match is None or match.group(0).endswith("/>"):
        raise BakingError("no <svg> root element with content")
    start_tag = match.group(0)
    if "xmlns:openbadges=" not in start_tag:
        start_tag = f'{start_tag[:-1]} xmlns:openbadges="{OPENBADGES_NAMESPACE}">'
    cdata = text.replace("]]>", "]]]]><![CDATA[>")
    verify = verify_url.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    element = f'<openbadges:assertion verify="{verify}"><![CDATA[{cdata}]]></openbadges:assertion>'
    return (source[: match.start()] + start_tag + element + source[match.end() :]).encode("utf-8")


def unbake_svg(svg: bytes) -> str | None:
    """The assertion text baked into an SVG (its CDATA, else its verify URL), or None when it has none."""
    element = parse_svg(svg).find(f"{{{OPENBADGES_NAMESPACE}}}assertion")
    if element is None:
        return None
    return (element.text or "").strip() or element.get("verify")
