import struct

import pytest

from parcours.assets.images import dimensions, kind

PNG = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 640, 480) + b"\x08\x02\x00\x00\x00"
GIF = b"GIF89a" + struct.pack("<HH", 32, 16) + b"\x00\x00\x00;"
# A JPEG whose size comes after an APP0 segment, as cameras and editors write them.
JPEG = (
    b"\xff\xd8"
    + b"\xff\xe0"
    + struct.pack(">H", 16)
    + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\xff\xc0"
    + struct.pack(">HBHH", 17, 8, 300, 1200)
    + b"\x03" * 12
)
WEBP_LOSSY = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 4 + b"\x00\x00\x00\x9d\x01\x2a" + struct.pack("<HH", 800, 600)
WEBP_LOSSLESS = (
    b"RIFF\x00\x00\x00\x00WEBPVP8L" + b"\x00" * 4 + b"\x2f" + (99 | (49 << 14)).to_bytes(4, "little") + b"\x00" * 4
)
WEBP_EXTENDED = (
    b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x00" * 8 + (1919).to_bytes(3, "little") + (1079).to_bytes(3, "little")
)


@pytest.mark.parametrize(
    ("content", "expected_kind", "size"),
    [
        (PNG, "image/png", (640, 480)),
        (GIF, "image/gif", (32, 16)),
        (JPEG, "image/jpeg", (1200, 300)),
        (WEBP_LOSSY, "image/webp", (800, 600)),
        (WEBP_LOSSLESS, "image/webp", (100, 50)),
        (WEBP_EXTENDED, "image/webp", (1920, 1080)),
    ],
)
def test_the_kind_and_size_are_read_from_the_bytes(content: bytes, expected_kind: str, size: tuple[int, int]) -> None:
    assert kind(content) == expected_kind
    assert dimensions(content, expected_kind) == size


@pytest.mark.parametrize(
    "content",
    [b"<svg onload=alert(1)>", b"%PDF-1.7", b"", b"GIF8", b"RIFF\x00\x00\x00\x00WAVE"],
)
def test_anything_else_is_not_an_image(content: bytes) -> None:
    assert kind(content) is None


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (PNG[:20], "image/png"),
        (b"\xff\xd8\xff\xe0\x00", "image/jpeg"),
        (JPEG[:12], "image/jpeg"),
        (b"GIF89a", "image/gif"),
    ],
)
def test_a_truncated_header_has_no_size_rather_than_an_error(content: bytes, content_type: str) -> None:
    assert dimensions(content, content_type) is None
