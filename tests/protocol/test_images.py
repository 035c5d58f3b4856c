"""Reading an image's format and size from its first bytes (adgate.protocol.images.sniff)."""

from __future__ import annotations

import pytest
from image_files import gif, jpeg_header, png

from adgate.protocol.images import ImageInfo, sniff


def test_png_gif_and_jpeg_give_their_type_and_size() -> None:
    assert sniff(png(640, 480)) == ImageInfo("image/png", "png", 640, 480)
    assert sniff(gif(300, 250)) == ImageInfo("image/gif", "gif", 300, 250)
    assert sniff(jpeg_header(1200, 628)) == ImageInfo("image/jpeg", "jpg", 1200, 628)


def test_a_jpeg_frame_is_found_past_other_segments_and_fill_bytes() -> None:
    header = jpeg_header(20, 10)
    comment = b"\xff\xfe\x00\x07hello"
    assert sniff(header[:2] + comment + b"\xff\xff" + header[2:]) == ImageInfo("image/jpeg", "jpg", 20, 10)
    restart = b"\xff\xd0"  # a marker without a length (RSTn)
    assert sniff(header[:2] + restart + header[2:]) == ImageInfo("image/jpeg", "jpg", 20, 10)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, world",
        b"%PDF-1.7\n",
        png(4, 4)[:20],  # cut inside the header
        png(0, 4),  # no pixels
        b"GIF89a",
        b"\xff\xd8\xff\xd9",  # a JPEG that ends before any frame
        b"\xff\xd8\xff\xd9\x00\x00\x00\x00",  # ... followed by bytes that are not read
        b"\xff\xd8\x00\x00\x00\x00",  # no marker where one must be
        b"\xff\xd8\xff\xe0\x00\x01",  # a segment shorter than its own length field
        jpeg_header(8, 8)[:-8],  # cut inside the frame header
    ],
)
def test_anything_else_is_not_an_image(data: bytes) -> None:
    assert sniff(data) is None
