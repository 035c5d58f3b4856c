"""Uploaded files and what an image's first bytes say about it (docs/graph-facts.md §12.7).

A Graph call may carry files (``multipart/form-data``): each is an :class:`Upload`, kept in memory
(the body limit, ``ADGATE_MAX_BODY_BYTES``, bounds them). :func:`sniff` reads the format and the
size in pixels of a PNG, JPEG or GIF from its header, with no image library: the header is all an
ad image's ``width`` and ``height`` need, and the pixels are never decoded.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Upload:
    """One file of a multipart request."""

    #: The form field's name (``filename``, or ``source0`` from the SDK).
    field: str
    #: The file name the client gave the part (``Content-Disposition: …; filename=``), if any.
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True, slots=True)
class ImageInfo:
    content_type: str
    extension: str
    width: int
    height: int


_PNG = b"\x89PNG\r\n\x1a\n"
#: JPEG start-of-frame markers, which carry the size: C0-CF but DHT (C4), JPG (C8) and DAC (CC).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
#: Markers with no length after them: TEM, RST0-7 (and SOI/EOI, handled apart).
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def sniff(data: bytes) -> ImageInfo | None:
    """The format and size of a PNG, JPEG or GIF; None for anything else or a broken header."""
    if data.startswith(_PNG) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return _info("image/png", "png", width, height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return _info("image/gif", "gif", width, height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data)
    return None


def _info(content_type: str, extension: str, width: int, height: int) -> ImageInfo | None:
    return ImageInfo(content_type, extension, width, height) if width > 0 and height > 0 else None


def _jpeg(data: bytes) -> ImageInfo | None:
    """Walk the JPEG's marker segments to the first start-of-frame (its size is there)."""
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xD9:  # end of image before any frame
            return None
        if marker in _STANDALONE:
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if length < 2:
            return None
        if marker in _SOF:
            if at + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return _info("image/jpeg", "jpg", width, height)
        at += 2 + length
    return None
