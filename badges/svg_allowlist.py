"""What an SVG badge may hold: an allowlist of elements and attributes, read with defusedxml.

A badge's SVG is served to anyone (the Open Badges image URL) and downloaded baked by its holder, so it must be a
picture and nothing else. A blocklist of dangerous things always misses one (a "java&#9;script:" link, a
protocol-relative "//host/…", <set> rewriting an href, @import in a <style>); this module instead names what a
static picture needs and refuses everything else:

- elements of the SVG namespace that draw, group, define gradients, patterns, clip paths, masks, markers and filter
  primitives; no <script>, <style>, <foreignObject>, <a>, no animation (<set>, <animate*>, <discard>), no
  <handler>/<listener>, no <feImage>, nor any element of another namespace (XHTML would run in a document) except
  the inert metadata of drawing programs (Inkscape, Sodipodi, RDF, Dublin Core, Creative Commons);
- attributes from a fixed list of geometry and presentation attributes, in no namespace (plus xml:space, xml:lang,
  the drawing programs' own, and xlink:href); no event handler (on*), no xml:base;
- a link (href, xlink:href) is either "#fragment" (a <use> of a local symbol) or an embedded PNG/JPEG
  ("data:image/png;base64,…"); nothing else, so no external reference of any kind;
- url() only as "url(#id)" in the attributes that take a paint server, clip path, mask, filter or marker;
- style="…": presentation properties only, with no url(), no escapes, no @-rule, no comment;
- no processing instruction (<?xml-stylesheet …?>), no DOCTYPE, no entity.

The baked SVG adds only the <openbadges:assertion> element (text and a verify URL, never fetched by a browser); it
is checked again before it is sent (baked=True).
"""

import re
from xml.etree.ElementTree import ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.http import Http404
from django.utils.translation import gettext as _

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
OPENBADGES = "http://openbadges.org"
# Drawing programs' metadata: elements and attributes a browser ignores (never rendered, never run).
INERT_NAMESPACES = {
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://creativecommons.org/ns#",
    "http://web.resource.org/cc/",
}

ELEMENTS = {
    "svg", "g", "defs", "symbol", "use", "title", "desc", "metadata", "switch",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "image",
    "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
    "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix",
    "feDiffuseLighting", "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB",
    "feFuncG", "feFuncR", "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight",
    "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
}  # fmt: skip

# Presentation attributes (also allowed as style properties).
PRESENTATION = {
    "alignment-baseline", "baseline-shift", "clip-path", "clip-rule", "color", "color-interpolation",
    "color-interpolation-filters", "color-rendering", "direction", "display", "dominant-baseline", "fill",
    "fill-opacity", "fill-rule", "filter", "flood-color", "flood-opacity", "font", "font-family", "font-size",
    "font-size-adjust", "font-stretch", "font-style", "font-variant", "font-weight", "image-rendering",
    "letter-spacing", "lighting-color", "marker", "marker-end", "marker-mid", "marker-start", "mask", "mix-blend-mode",
    "isolation", "opacity", "overflow", "paint-order", "shape-rendering", "stop-color", "stop-opacity", "stroke",
    "stroke-dasharray", "stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
    "stroke-opacity", "stroke-width", "text-anchor", "text-decoration", "text-rendering", "transform",
    "transform-origin", "unicode-bidi", "vector-effect", "visibility", "word-spacing", "writing-mode",
}  # fmt: skip

ATTRIBUTES = PRESENTATION | {
    "id", "class", "lang", "version", "baseProfile", "viewBox", "preserveAspectRatio", "x", "y", "width", "height",
    "rx", "ry", "cx", "cy", "r", "fx", "fy", "fr", "x1", "y1", "x2", "y2", "points", "d", "pathLength",
    "dx", "dy", "rotate", "textLength", "lengthAdjust", "startOffset", "method", "spacing", "side",
    "gradientUnits", "gradientTransform", "spreadMethod", "offset", "patternUnits", "patternContentUnits",
    "patternTransform", "clipPathUnits", "maskUnits", "maskContentUnits", "markerUnits", "markerWidth",
    "markerHeight", "refX", "refY", "orient", "filterUnits", "primitiveUnits", "in", "in2", "result",
    "stdDeviation", "mode", "type", "values", "operator", "k1", "k2", "k3", "k4", "radius", "tableValues", "slope",
    "intercept", "amplitude", "exponent", "baseFrequency", "numOctaves", "seed", "stitchTiles", "scale",
    "xChannelSelector", "yChannelSelector", "order", "kernelMatrix", "kernelUnitLength", "divisor", "bias",
    "targetX", "targetY", "edgeMode", "preserveAlpha", "surfaceScale", "diffuseConstant", "specularConstant",
    "specularExponent", "azimuth", "elevation", "z", "pointsAtX", "pointsAtY", "pointsAtZ", "limitingConeAngle",
    "requiredFeatures", "requiredExtensions", "systemLanguage", "style", "href",
}  # fmt: skip

# The attributes whose value may be a local reference url(#id) (paint servers, clip paths, masks, filters, markers).
URL_ATTRIBUTES = {"fill", "stroke", "clip-path", "mask", "filter", "marker", "marker-start", "marker-mid", "marker-end"}
LOCAL_URL = re.compile(r"\s*url\(\s*#[A-Za-z_][\w.\-]*\s*\)(\s+[#\w(),.\s%-]*)?")
LOCAL_HREF = re.compile(r"#[A-Za-z_][\w.\-]*")
EMBEDDED_IMAGE = re.compile(r"data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]*")
STYLE_DECLARATION = re.compile(r"\s*([a-z-]+)\s*:\s*([^;]*?)\s*")
STYLE_FORBIDDEN = re.compile(r"url\(|\\|@|/\*|expression|image-set|-moz-binding|behavior|<", re.IGNORECASE)


class UnsafeSvg(ValueError):
    """The SVG holds something outside the allowlist; the message says what (in English, for the logs)."""


def _split(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        namespace, local = name[1:].split("}", 1)
        return namespace, local
    return "", name


def _check_style(value: str) -> None:
    if STYLE_FORBIDDEN.search(value):
        raise UnsafeSvg(f"style not allowed: {value!r}")
    for declaration in value.split(";"):
        if not declaration.strip():
            continue
        match = STYLE_DECLARATION.fullmatch(declaration)
        if match is None or match.group(1) not in PRESENTATION:
            raise UnsafeSvg(f"style property not allowed: {declaration.strip()!r}")


def _check_attribute(element: str, name: str, value: str) -> None:
    namespace, local = _split(name)
    if namespace in INERT_NAMESPACES:
        return
    if namespace == XML and local in ("space", "lang"):
        return
    if (namespace, local) in (("", "href"), (XLINK, "href")):
        if LOCAL_HREF.fullmatch(value) or (element == "image" and EMBEDDED_IMAGE.fullmatch(value)):
            return
        raise UnsafeSvg(f"<{element}> links outside the image: {value!r}")
    if namespace or local not in ATTRIBUTES:
        raise UnsafeSvg(f"attribute not allowed: {name} on <{element}>")
    if local == "style":
        _check_style(value)
    elif "url(" in value.lower().replace(" ", "") and not (local in URL_ATTRIBUTES and LOCAL_URL.fullmatch(value)):
        raise UnsafeSvg(f"url() not allowed in {local}: {value!r}")


def _parse(data: bytes):
    """The root element; UnsafeSvg for a DOCTYPE, an entity, an external reference or a processing instruction
    (expat reports them anywhere, before the root too; the XML declaration is not one)."""
    parser = DefusedXMLParser(target=TreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    instructions = []
    parser.parser.ProcessingInstructionHandler = lambda target, text: instructions.append(target)
    try:
        parser.feed(data)
        root = parser.close()
    except (ParseError, DefusedXmlException) as error:
        raise UnsafeSvg(f"not a plain XML document: {error}") from error
    if instructions:
        raise UnsafeSvg(f"processing instructions are not allowed: {instructions}")
    return root


def _check_element(element, *, inert: bool, baked_root: bool) -> None:
    for position, child in enumerate(element):
        namespace, local = _split(child.tag)
        if baked_root and position == 0 and (namespace, local) == (OPENBADGES, "assertion"):
            if set(child.attrib) - {"verify"} or len(child):
                raise UnsafeSvg("the openbadges:assertion element holds only its text and verify URL")
            continue
        if namespace in INERT_NAMESPACES:  # drawing programs' metadata: never rendered; only more metadata inside
            _check_element(child, inert=True, baked_root=False)
            continue
        if inert or namespace != SVG or local not in ELEMENTS:
            raise UnsafeSvg(f"element not allowed: <{local}> ({namespace or 'no namespace'})")
        for name, value in child.attrib.items():
            _check_attribute(local, name, value)
        _check_element(child, inert=False, baked_root=False)


def served_svg(data: bytes, *, baked: bool = False) -> bytes:
    """The SVG, if it passes check_svg, for a view to send; else Http404 (an image stored before this allowlist,
    or a baked one that would not pass, is not served)."""
    try:
        check_svg(data, baked=baked)
    except UnsafeSvg as error:
        raise Http404(_("Cette image de badge n'est pas servie : elle contient autre chose que du dessin.")) from error
    return data


def check_svg(data: bytes, *, baked: bool = False) -> None:
    """Raise UnsafeSvg unless every element and attribute of the SVG is allowed (baked: the openbadges:assertion
    element the download adds is allowed too, as the first child of the root)."""
    root = _parse(data)
    if root.tag != f"{{{SVG}}}svg":
        raise UnsafeSvg("the root element is not an SVG <svg>")
    for name, value in root.attrib.items():
        _check_attribute("svg", name, value)
    _check_element(root, inert=False, baked_root=baked)
