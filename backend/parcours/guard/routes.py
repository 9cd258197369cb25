"""GET /guard/challenge (a proof-of-work challenge, per-IP rate limited) and GET /guard/altcha.js
(the ALTCHA widget, built into the SPA's dist by vite.config.ts and served from our own server)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get
from litestar.response import File

from parcours.clock import utcnow
from parcours.guard import proof, ratelimit
from parcours.runtime import Runtime

CHALLENGE_PATH = "/guard/challenge"
SCRIPT_PATH = "/guard/altcha.js"
SCRIPT_FILE = Path("guard") / "altcha.js"  # inside the built frontend (settings.frontend_path)
LONG_CACHE = {"Cache-Control": "public, max-age=31536000, immutable"}
SHORT_CACHE = {"Cache-Control": "public, max-age=300"}


@lru_cache(maxsize=8)
def _version(script: Path, modified: float) -> str:
    return hashlib.sha256(script.read_bytes()).hexdigest()[:12]


def script_version(frontend: Path) -> str:
    """A short hash of the widget's script as built ("" when it is not built)."""
    script = frontend / SCRIPT_FILE
    try:
        return _version(script, script.stat().st_mtime)
    except OSError:
        return ""


def script_path(frontend: Path) -> str:
    """/guard/altcha.js?v=<hash>: a new build, a new address, so browsers may keep it a year."""
    version = script_version(frontend)
    return f"{SCRIPT_PATH}?v={version}" if version else SCRIPT_PATH


@get(CHALLENGE_PATH, summary="A proof-of-work challenge for a public form")
async def new_challenge(runtime: Runtime, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """An ALTCHA (v2) challenge, valid 10 minutes and good for one submission. Public; rate
    limited per address (429 with Retry-After)."""
    settings = runtime.settings
    address = ratelimit.client_ip(request, settings.trusted_proxies)
    wait = await ratelimit.hit(
        runtime.redis,
        "challenge:" + ratelimit.ip_key(address),
        limit=settings.challenges_per_ip_minute,
        window_seconds=60,
    )
    if wait is not None:
        raise ratelimit.flood(wait)
    # Any site may ask (forms are embedded on customers' sites); no cookie is read or set.
    headers = {"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"}
    return Response(proof.challenge(runtime.secret_key, utcnow()), headers=headers)


@get(SCRIPT_PATH, include_in_schema=False, sync_to_thread=False)
def widget_script(runtime: Runtime, v: str = "") -> File | Response[str]:
    frontend = runtime.settings.frontend_path
    script = frontend / SCRIPT_FILE
    if not script.is_file():
        return Response(
            "/* The widget is not built: run `npm run build` in frontend/. */",
            media_type="text/javascript",
            status_code=503,
            headers={"Cache-Control": "no-store"},
        )
    current = v and v == script_version(frontend)
    return File(
        script,
        filename="altcha.js",
        media_type="text/javascript",
        content_disposition_type="inline",
        headers=LONG_CACHE if current else SHORT_CACHE,
    )


guard_router = Router(path="/", route_handlers=[new_challenge, widget_script])
