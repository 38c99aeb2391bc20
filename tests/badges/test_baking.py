"""Baking and unbaking an assertion into PNG and SVG badge images (Open Badges 2.0 baking)."""

import json
import struct
import zlib

import pytest

from badges.baking import BakingError, bake_png, bake_svg, unbake_png, unbake_svg
from tests.factories import tiny_png

ASSERTION = json.dumps({"id": "https://rupn.example/openbadges/assertions/1/", "note": "é ✓"}, ensure_ascii=False)
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>'


def _chunk_types(png: bytes) -> list[bytes]:
    types, position = [], 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        types.append(png[position + 4 : position + 8])
        position += 12 + length
    return types


def test_png_round_trip_gives_back_the_assertion():
    baked = bake_png(tiny_png(), ASSERTION)
    assert unbake_png(baked) == ASSERTION
    assert _chunk_types(baked) == [b"IHDR", b"IDAT", b"iTXt", b"IEND"]


def test_baked_png_is_still_a_valid_png():
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(bake_png(tiny_png(4, 3), ASSERTION)))
    image.load()
    assert image.size == (4, 3)


def test_rebaking_replaces_the_existing_openbadges_chunk():
    once = bake_png(tiny_png(), '{"id": "first"}')
    twice = bake_png(once, '{"id": "second"}')
    assert unbake_png(twice) == '{"id": "second"}'
    assert _chunk_types(twice).count(b"iTXt") == 1


def test_a_png_without_a_baked_assertion_unbakes_to_none():
    assert unbake_png(tiny_png()) is None


def test_a_compressed_itxt_chunk_is_read_too():
    text = zlib.compress(ASSERTION.encode())
    data = b"openbadges\x00\x01\x00\x00\x00" + text
    chunk = struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", zlib.crc32(b"iTXt" + data))
    png = tiny_png()
    assert unbake_png(png[:-12] + chunk + png[-12:]) == ASSERTION


@pytest.mark.parametrize(
    "data",
    [b"GIF89a\x01\x00\x01\x00", SVG, b"", b"\x89PNG\r\n\x1a\n\x00\x00"],
    ids=["gif", "svg", "empty", "truncated"],
)
def test_a_non_png_is_refused(data):
    with pytest.raises(BakingError):
        bake_png(data, ASSERTION)


def test_a_png_with_a_bad_checksum_is_refused():
    png = bytearray(tiny_png())
    png[20] ^= 0xFF  # inside IHDR
    with pytest.raises(BakingError):
        bake_png(bytes(png), ASSERTION)


def test_svg_round_trip_gives_back_the_assertion_and_verify_url():
    baked = bake_svg(SVG, ASSERTION, "https://rupn.example/openbadges/assertions/1/")
    assert unbake_svg(baked) == ASSERTION
    text = baked.decode()
    assert 'xmlns:openbadges="http://openbadges.org"' in text
    assert '<openbadges:assertion verify="https://rupn.example/openbadges/assertions/1/">' in text


def test_rebaking_an_svg_replaces_its_assertion():
    once = bake_svg(SVG, '{"id": "first"}', "https://a/")
    twice = bake_svg(once, '{"id": "second ]]> end"}', "https://b/")
    assert unbake_svg(twice) == '{"id": "second ]]> end"}'
    assert twice.decode().count("<openbadges:assertion") == 1


@pytest.mark.parametrize(
    "data",
    [
        tiny_png(),
        b"<html></html>",
        b'<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        b"<svg>not closed",
    ],
    ids=["png", "html", "entities", "broken"],
)
def test_a_non_svg_is_refused(data):
    with pytest.raises(BakingError):
        bake_svg(data, ASSERTION, "https://a/")
