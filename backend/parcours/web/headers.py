"""Security headers on every answer: a Content-Security-Policy per kind of page, nosniff, the
referrer policy, and HSTS behind HTTPS. An answer that sets its own policy (a landing page, a form
page allowing the sites that embed it) keeps it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

# The SPA: its own scripts only (Vite's build has no inline script). Mantine and the GrapesJS
# designers write style attributes and <style> tags, so styles alone may be inline; images of
# emails and pages may come from anywhere over HTTPS.
SPA = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-src 'self' blob:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)

# JSON, files, tracking pixels: nothing in them may run or load anything.
NOTHING = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"


# What may stand in a policy as a host (example.com, *.example.com:8443, https://example.com).
SOURCE = re.compile(r"(https?://)?(\*\.)?[a-zA-Z0-9.-]+(:[0-9]{1,5})?")


def public(frame_ancestors: Iterable[str] = (), form_action: Iterable[str] = ()) -> str:
    """Server-rendered public pages (forms, events, unsubscribe, preferences): our scripts only
    (the proof-of-work widget and its worker), the layout's inline <style>; framed by this site
    and the sites given (a form's embed allow-list), posting to this site and the origins given
    (a form's redirect after a post is a form action too)."""
    ancestors = " ".join(["'self'", *(s for s in frame_ancestors if SOURCE.fullmatch(s))])
    actions = " ".join(["'self'", *(s for s in form_action if SOURCE.fullmatch(s))])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; "
        f"connect-src 'self'; worker-src 'self' blob:; form-action {actions}; frame-ancestors {ancestors}; "
        "base-uri 'none'; object-src 'none'"
    )


PUBLIC = public()
HSTS = "max-age=31536000; includeSubDomains"

# First match wins; the SPA is everything else.
_KINDS: tuple[tuple[tuple[str, ...], str | None], ...] = (
    # The API document's viewer loads its scripts from a CDN: no policy of ours to break it.
    (("/schema",), None),
    (("/api/", "/health", "/metrics", "/t/", "/media/", "/guard/"), NOTHING),
    (("/t.js",), NOTHING),
    (("/f/", "/e/", "/u/", "/preferences/", "/p/"), PUBLIC),
)

# Links with a token in their path (unsubscribe, preferences, cancelling a registration) must not
# hand it to another site through the Referer header.
_NO_REFERRER = ("/u/", "/preferences/", "/t/", "/f/confirm/")


def policy_for(path: str) -> str | None:
    for prefixes, policy in _KINDS:
        if path.startswith(prefixes):
            return policy
    return SPA


def referrer_for(path: str) -> str:
    if path.startswith(_NO_REFERRER) or (path.startswith("/e/") and "/cancel/" in path):
        return "no-referrer"
    return "strict-origin-when-cross-origin"


class SecurityHeaders:
    """ASGI middleware adding the headers to each HTTP answer that does not already carry them."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app, self.hsts = app, hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "/")
        added: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", referrer_for(path).encode()),
        ]
        csp = policy_for(path)
        if csp is not None:
            added.append((b"content-security-policy", csp.encode()))
        if self.hsts:
            added.append((b"strict-transport-security", HSTS.encode()))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {bytes(name).lower() for name, _ in headers}
                headers.extend((name, value) for name, value in added if name not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
