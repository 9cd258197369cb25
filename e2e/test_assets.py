"""A marketer drops images on the asset library: a good one appears with its size, a text file is
refused by name; an image an email shows cannot be deleted (the email is named), an unused one is."""

import struct
import time
import zlib

import httpx
from playwright.sync_api import APIResponse, Page, Route, expect

from e2e.conftest import check_accessibility


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x2a\x6f\xd1" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_a_marketer_uploads_an_image_sees_it_and_deletes_it(page: Page, api: httpx.Client) -> None:
    tag = time.monotonic_ns()
    used = api.post("/api/assets", files={"file": (f"header-{tag}.png", png(60, 20), "image/png")}).json()
    mjml = f'<mjml><mj-body><mj-section><mj-column><mj-image src="{used["url"]}" /></mj-column></mj-section></mj-body></mjml>'
    email = api.post(
        "/api/emails",
        json={
            "name": f"Spring news {tag}",
            "subject": "Hi",
            "from_name": "Atelier",
            "from_email": "a@example.fr",
            "mjml": mjml,
        },
    )
    assert email.status_code == 201, email.text

    page.goto("/assets")
    name = f"banner-{tag}.png"
    page.get_by_test_id("assets-file-input").set_input_files(
        [
            {"name": name, "mimeType": "image/png", "buffer": png(120, 40)},
            {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not an image"},
        ]
    )
    expect(page.get_by_test_id("assets-refused-file")).to_have_text("notes.txt: not a PNG, JPEG, GIF or WebP image.")
    expect(page.get_by_test_id("assets-uploaded")).to_have_text("1 image added to the library.")
    card = page.get_by_role("article", name=name)
    expect(card.get_by_test_id("asset-size")).to_contain_text("120 × 40 px")
    expect(card.get_by_role("img", name=name)).to_have_js_property("naturalWidth", 120)  # served and shown

    # The image the email shows: its deletion is refused, naming the email.
    page.get_by_role("article", name=f"header-{tag}.png").get_by_test_id("asset-delete").click()
    expect(page.get_by_test_id("asset-used-by")).to_have_text(f"Email “Spring news {tag}”")
    expect(page.get_by_test_id("asset-delete-confirm")).to_be_disabled()
    check_accessibility(page, "asset library: an image in use")
    page.get_by_test_id("asset-delete-keep").click()

    card.get_by_test_id("asset-edit").click()
    page.get_by_test_id("asset-title").fill(f"Spring banner {tag}")
    page.get_by_test_id("asset-alt").fill("Blue banner")
    page.get_by_test_id("asset-edit-save").click()
    card = page.get_by_role("article", name=f"Spring banner {tag}")
    expect(card.get_by_role("img", name="Blue banner")).to_be_visible()

    card.get_by_test_id("asset-delete").click()
    expect(page.get_by_test_id("asset-unused")).to_be_visible()
    page.get_by_test_id("asset-delete-confirm").click()
    expect(card).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)
    found = api.get("/api/assets", params={"q": str(tag)}).json()
    assert [a["filename"] for a in found["items"]] == [f"header-{tag}.png"]
    assert api.get(f"/api/assets/{used['id']}").status_code == 200


def test_an_image_uploaded_while_the_library_first_loads_is_listed(page: Page) -> None:
    """The library's first list is read before the upload and answers after it: the screen asks
    again once the image is added instead of keeping that older answer."""
    held: list[tuple[Route, APIResponse]] = []

    def hold_first_list(route: Route) -> None:
        if route.request.method == "GET" and not held:
            held.append((route, route.fetch()))  # read now, answered once the upload is done
        else:
            route.continue_()

    page.route(lambda url: "/api/assets?" in url, hold_first_list)
    page.goto("/assets")
    deadline = time.monotonic() + 15
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the library did not ask for its images"
    name = f"early-{time.monotonic_ns()}.png"
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/api/assets")) as upload:
        page.get_by_test_id("assets-file-input").set_input_files(
            [{"name": name, "mimeType": "image/png", "buffer": png(8, 8)}]
        )
    assert upload.value.status == 201
    route, answer = held[0]
    route.fulfill(response=answer)
    expect(page.get_by_test_id("assets-uploaded")).to_have_text("1 image added to the library.")
    expect(page.get_by_role("article", name=name)).to_be_visible()


def test_the_email_designer_offers_the_library_images(page: Page, api: httpx.Client) -> None:
    tag = time.monotonic_ns()
    other = api.post("/api/assets", files={"file": (f"library-{tag}.png", png(30, 30), "image/png")}).json()
    shown = api.post("/api/assets", files={"file": (f"shown-{tag}.png", png(30, 30), "image/png")}).json()
    mjml = f'<mjml><mj-body><mj-section><mj-column><mj-image src="{shown["url"]}" /></mj-column></mj-section></mj-body></mjml>'
    email = api.post(
        "/api/emails",
        json={"name": f"Picker {tag}", "subject": "Hi", "from_name": "A", "from_email": "a@example.fr", "mjml": mjml},
    ).json()
    page.goto(f"/emails/{email['id']}")
    page.frame_locator("[data-testid=designer-canvas] iframe.gjs-frame").locator("img").first.dblclick()
    # Uploaded elsewhere, offered here: picked again rather than uploaded again.
    expect(page.locator(".gjs-am-assets").get_by_text(f"library-{tag}.png")).to_be_visible()
    assert other["id"] in page.locator(".gjs-am-assets").inner_html()
