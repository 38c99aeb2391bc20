"""Images checked by their bytes (rupn.lib.images): the badges' PNG check, and the screenshots' PNG or JPEG."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rupn.lib.images import ImageError, image_format
from tests.factories import tiny_jpeg, tiny_png


def test_a_whole_png_and_a_whole_jpeg_are_recognised():
    assert image_format(tiny_png()) == "png"
    assert image_format(tiny_jpeg()) == "jpeg"


@pytest.mark.parametrize(
    "data",
    [
        tiny_png()[:-4],  # the last chunk's CRC cut
        tiny_png()[:20],
        tiny_jpeg()[:-2],  # no end-of-image marker
        tiny_jpeg()[:30] + b"\xff\xd9",  # a scan that never starts
        b"\xff\xd8\xff\xd9",
        b"GIF89a",
        b"",
    ],
)
def test_truncated_or_foreign_bytes_are_refused(data):
    with pytest.raises(ImageError):
        image_format(data)


def test_a_jpeg_is_refused_where_only_png_is_allowed():
    with pytest.raises(ImageError):
        image_format(tiny_jpeg(), allowed=("png",))


@given(st.binary(max_size=200))
def test_any_bytes_give_a_format_or_image_error_never_another_exception(data):
    try:
        image_format(b"\xff\xd8\xff" + data)
        image_format(b"\x89PNG\r\n\x1a\n" + data)
    except ImageError:
        pass
