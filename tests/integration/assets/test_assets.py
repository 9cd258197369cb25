import struct
import zlib
from typing import Any

import pytest

from tests.factories import SENDER


def png(width: int, height: int) -> bytes:
    """A real (tiny, grey) PNG of this size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


GIF = b"GIF89a\x03\x00\x02\x00\x00\x00\x00,\x00\x00\x00\x00\x03\x00\x02\x00\x00\x02\x02D\x01\x00;"


def upload(api: Any, name: str, content: bytes, **headers: str) -> Any:
    return api.post("/api/assets", files={"file": (name, content, "image/png")}, headers=headers)


def test_the_library_lists_searches_and_filters_with_sizes(api: Any) -> None:
    logo = upload(api, "Logo spring.png", png(120, 40))
    assert logo.status_code == 201, logo.text
    assert logo.json() | {"id": None, "url": None, "created_at": None} == {
        "id": None,
        "url": None,
        "created_at": None,
        "filename": "Logo-spring.png",
        "title": "Logo-spring.png",
        "alt": "",
        "content_type": "image/png",
        "size": len(png(120, 40)),
        "width": 120,
        "height": 40,
        "created_by": "admin@example.com",
    }
    assert upload(api, "banner.gif", GIF).json()["width"] == 3
    served = api.get(logo.json()["url"].split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"

    found = api.get("/api/assets", params={"q": "SPRING"}).json()
    assert [a["filename"] for a in found["items"]] == ["Logo-spring.png"] and found["total"] == 1
    gifs = api.get("/api/assets", params={"content_type": "image/gif"}).json()
    assert [a["filename"] for a in gifs["items"]] == ["banner.gif"]
    assert api.get("/api/assets", params={"q": "100%_"}).json()["total"] == 0  # wildcards are plain text

    renamed = api.patch(f"/api/assets/{logo.json()['id']}", json={"title": " Spring logo ", "alt": "Atelier"})
    assert renamed.status_code == 200 and renamed.json()["title"] == "Spring logo"
    assert api.get("/api/assets", params={"q": "spring logo"}).json()["total"] == 1


def test_an_unused_image_is_deleted_and_a_used_one_names_its_email(api: Any) -> None:
    used, unused = (upload(api, f"{n}.png", png(2, 2)).json() for n in ("used", "unused"))
    mjml = f'<mjml><mj-body><mj-section><mj-column><mj-image src="{used["url"]}" /></mj-column></mj-section></mj-body></mjml>'
    email = api.post("/api/emails", json={"name": "Spring sale", "subject": "Hi", **SENDER, "mjml": mjml})
    assert email.status_code == 201, email.text

    detail = api.get(f"/api/assets/{used['id']}").json()
    assert detail["used_by"] == [{"kind": "email", "id": email.json()["id"], "name": "Spring sale"}]
    refused = api.delete(f"/api/assets/{used['id']}")
    assert refused.status_code == 409, refused.text
    assert "email 'Spring sale'" in refused.json()["error"]["message"]
    assert refused.json()["error"]["used_by"] == detail["used_by"]
    assert api.get(f"/api/assets/{used['id']}").status_code == 200

    assert api.get(f"/api/assets/{unused['id']}").json()["used_by"] == []
    assert api.delete(f"/api/assets/{unused['id']}").status_code == 204
    assert api.get(f"/api/assets/{unused['id']}").status_code == 404
    assert api.get(f"/media/{unused['id']}/unused.png").status_code == 404

    # Once the email shows another image, the first one can go.
    plain = mjml.replace(used["url"], "https://example.fr/x.png")
    assert api.patch(f"/api/emails/{email.json()['id']}", json={"mjml": plain}).status_code == 200
    assert api.delete(f"/api/assets/{used['id']}").status_code == 204


def test_several_images_at_once_each_bad_file_refused_alone(api: Any) -> None:
    files = [
        ("files", ("one.png", png(4, 4), "image/png")),
        ("files", ("notes.txt", b"hello", "image/png")),
        ("files", ("huge.png", png(1, 1) + b"\x00" * (5 * 1024 * 1024), "image/png")),
        ("files", ("two.gif", GIF, "image/gif")),
    ]
    before = api.get("/api/assets").json()["total"]
    response = api.post("/api/assets/batch", files=files)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [a["filename"] for a in body["uploaded"]] == ["one.png", "two.gif"]
    assert [(r["index"], r["filename"], r["field"]) for r in body["refused"]] == [
        (1, "notes.txt", "file"),
        (2, "huge.png", "file"),
    ]
    assert "PNG, JPEG, GIF or WebP" in body["refused"][0]["message"] and "5 MB" in body["refused"][1]["message"]
    assert api.get("/api/assets").json()["total"] == before + 2
    one = api.post("/api/assets/batch", files={"files": ("three.png", png(1, 1), "image/png")}).json()
    assert [a["filename"] for a in one["uploaded"]] == ["three.png"] and one["refused"] == []
    text = api.post("/api/assets/batch", files={"image": ("x.png", png(1, 1), "image/png")}, data={"files": "abc"})
    assert text.status_code == 400 and text.json()["error"]["field"].startswith("files"), text.text


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "field"),
    [
        ("post", "/api/assets", {"files": {"file": ("a.svg", b"<svg onload=alert(1)>", "image/svg+xml")}}, 400, "file"),
        ("post", "/api/assets", {"files": {"image": ("a.png", png(1, 1), "image/png")}}, 400, "file"),
        ("post", "/api/assets/batch", {"files": {"image": ("a.png", png(1, 1), "image/png")}}, 400, "files"),
        ("get", "/api/assets", {"params": {"content_type": "text/html"}}, 400, "content_type"),
        ("get", "/api/assets/not-an-id", {}, 400, "asset_id"),
        ("get", "/api/assets/" + "0" * 32, {}, 404, "asset_id"),
        ("patch", "/api/assets/" + "0" * 32, {"json": {"title": "x"}}, 404, "asset_id"),
        ("delete", "/api/assets/" + "0" * 32, {}, 404, "asset_id"),
    ],
)
def test_bad_requests_name_their_field(
    api: Any, method: str, path: str, kwargs: dict[str, Any], status: int, field: str
) -> None:
    before = api.get("/api/assets").json()["total"]
    response = getattr(api, method)(path, **kwargs)
    assert response.status_code == status, response.text
    assert response.json()["error"]["field"] == field, response.text
    assert api.get("/api/assets").json()["total"] == before


def test_a_bad_patch_names_its_field(api: Any) -> None:
    asset = upload(api, "p.png", png(1, 1)).json()
    for body, field in (({"title": "x" * 201}, "title"), ({"alt": 3}, "alt"), ({"filename": "y"}, "filename")):
        response = api.patch(f"/api/assets/{asset['id']}", json=body)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["field"] == field, response.text


def test_viewers_browse_and_marketers_change(api: Any) -> None:
    viewer, marketer = api.new_key("viewer"), api.new_key("marketer")
    asset = upload(api, "roles.png", png(1, 1), **api.as_key(marketer))
    assert asset.status_code == 201
    assert api.get(f"/api/assets/{asset.json()['id']}", headers=api.as_key(viewer)).status_code == 200
    assert upload(api, "nope.png", png(1, 1), **api.as_key(viewer)).status_code == 403
    assert api.delete(f"/api/assets/{asset.json()['id']}", headers=api.as_key(viewer)).status_code == 403
    assert api.delete(f"/api/assets/{asset.json()['id']}", headers=api.as_key(marketer)).status_code == 204


def test_an_image_on_a_landing_page_or_as_its_sharing_picture_is_kept(api: Any) -> None:
    shown, shared = (upload(api, f"{n}.png", png(2, 2)).json() for n in ("hero", "share"))
    page = api.post(
        "/api/pages",
        json={
            "name": "Spring garden",
            "slug": f"garden-{shown['id'][:8].lower()}",
            "language": "en",
            "html": f'<section><img src="{shown["url"]}" alt="Garden"></section>',
            "social_image": shared["url"],
        },
    )
    assert page.status_code == 201, page.text
    for image in (shown, shared):
        refused = api.delete(f"/api/assets/{image['id']}")
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["used_by"] == [
            {"kind": "page", "id": page.json()["id"], "name": "Spring garden"}
        ]
    assert api.delete(f"/api/pages/{page.json()['id']}").status_code in (200, 204)
    assert api.delete(f"/api/assets/{shown['id']}").status_code == 204
