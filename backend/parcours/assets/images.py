"""What an uploaded file is, read from its own bytes (never from what the browser claims): its
kind and, when its header says, its width and height. Pure: no I/O."""

from __future__ import annotations

import struct

# No SVG: it can carry scripts.
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
KINDS = ("image/png", "image/jpeg", "image/gif", "image/webp")
# JPEG markers that start a frame and carry its size (SOF0..SOF15 but DHT, JPG and DAC).
_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def kind(content: bytes) -> str | None:
    for signature, found in _SIGNATURES.items():
        if content.startswith(signature):
            return found
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def dimensions(content: bytes, content_type: str) -> tuple[int, int] | None:
    """(width, height) in pixels, or None when the header cannot be read."""
    try:
        size = _dimensions(content, content_type)
    except (struct.error, IndexError):
        return None
    return size if size and size[0] > 0 and size[1] > 0 else None


def _dimensions(content: bytes, content_type: str) -> tuple[int, int] | None:
    if content_type == "image/png" and content[12:16] == b"IHDR":
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content_type == "image/gif":
        width, height = struct.unpack("<HH", content[6:10])
        return int(width), int(height)
    if content_type == "image/webp":
        return _webp(content)
    if content_type == "image/jpeg":
        return _jpeg(content)
    return None


def _webp(content: bytes) -> tuple[int, int] | None:
    chunk = content[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(content[24:27], "little") + 1
        height = int.from_bytes(content[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L" and content[20] == 0x2F:
        bits = int.from_bytes(content[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and content[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", content[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    return None


def _jpeg(content: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 9 < len(content):
        if content[at] != 0xFF:
            return None
        marker = content[at + 1]
        if marker == 0xFF:  # padding
            at += 1
            continue
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", content[at + 5 : at + 9])
            return int(width), int(height)
        if marker == 0xD8 or 0xD0 <= marker <= 0xD7:  # no length
            at += 2
            continue
        (length,) = struct.unpack(">H", content[at + 2 : at + 4])
        at += 2 + int(length)
    return None
