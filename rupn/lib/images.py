"""Uploaded images checked by their bytes, never by their name or the browser's content type: PNG (every chunk's
CRC, IHDR first and IEND last) and JPEG (markers and segment lengths up to the scan, end-of-image marker).

Pure functions on bytes, standard library only. The badges (badges.baking) and the help-request screenshots
(helpdesk) use them."""

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PNG, JPEG = "png", "jpeg"


class ImageError(ValueError):
    """The bytes are not a whole image of the expected kind."""


def png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, data) chunks of a PNG, CRCs checked; ImageError when the bytes are not a whole PNG."""
    if not png.startswith(PNG_SIGNATURE):
        raise ImageError("not a PNG image")
    chunks = []
    position = len(PNG_SIGNATURE)
    while position < len(png):
        if position + 8 > len(png):
            raise ImageError("truncated PNG chunk header")
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        end = position + 8 + length
        if end + 4 > len(png):
            raise ImageError("truncated PNG chunk")
        data = png[position + 8 : end]
        (crc,) = struct.unpack(">I", png[end : end + 4])
        if zlib.crc32(kind + data) != crc:
            raise ImageError("bad PNG chunk checksum")
        chunks.append((kind, data))
        position = end + 4
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise ImageError("a PNG starts with IHDR and ends with IEND")
    return chunks


_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn carry no length
_FRAME_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # SOFn (not DHT, JPG, DAC)


def jpeg_check(jpeg: bytes) -> None:
    """ImageError unless the bytes are a JPEG: SOI, well-formed segments with a frame header before the scan, EOI."""
    if not jpeg.startswith(JPEG_SIGNATURE):
        raise ImageError("not a JPEG image")
    if not jpeg.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise ImageError("a JPEG ends with EOI")
    position, has_frame = 2, False
    while True:
        if position + 2 > len(jpeg) or jpeg[position] != 0xFF:
            raise ImageError("bad JPEG marker")
        while position + 1 < len(jpeg) and jpeg[position + 1] == 0xFF:  # fill bytes
            position += 1
        if position + 2 > len(jpeg):
            raise ImageError("truncated JPEG marker")
        marker = jpeg[position + 1]
        position += 2
        if marker in _STANDALONE:
            continue
        if marker == 0xD9:
            raise ImageError("a JPEG has a scan before EOI")
        if position + 2 > len(jpeg):
            raise ImageError("truncated JPEG segment")
        (length,) = struct.unpack(">H", jpeg[position : position + 2])
        if length < 2 or position + length > len(jpeg):
            raise ImageError("bad JPEG segment length")
        has_frame = has_frame or marker in _FRAME_MARKERS
        position += length
        if marker == 0xDA:  # start of scan: entropy-coded data follows, up to EOI
            if not has_frame:
                raise ImageError("a JPEG scan comes after a frame header")
            return


def image_format(data: bytes, allowed: tuple[str, ...] = (PNG, JPEG)) -> str:
    """ "png" or "jpeg" for a whole image of an allowed kind; ImageError otherwise."""
    if data.startswith(PNG_SIGNATURE) and PNG in allowed:
        png_chunks(data)
        return PNG
    if data.startswith(JPEG_SIGNATURE) and JPEG in allowed:
        jpeg_check(data)
        return JPEG
    raise ImageError("not an allowed image")
