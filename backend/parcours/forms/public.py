"""What visitors reach, without login: the hosted form /f/{slug}, its posts (from the page, an
embedded form, a landing page or a script), embed.js, the thank-you page and the confirmation link.
Everything shown is escaped; posts from other sites are refused unless the form allows them."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from litestar import Request, Response, Router, get, post
from litestar.params import Parameter
from litestar.response import Redirect

from parcours.clock import utcnow
from parcours.db import transaction
from parcours.errors import NotFound
from parcours.forms import intake, render, service
from parcours.forms.models import Form, FormVersion
from parcours.forms.schemas import SubmitAnswer
from parcours.guard import markup, ratelimit
from parcours.runtime import Runtime
from parcours.web import headers
from parcours.web.catalog import text
from parcours.web.render import NO_STORE, html

MAX_KEYS = 200
FLOOD_ROWS = 100


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def page_policy(settings: dict[str, Any]) -> dict[str, str]:
    """The form page may be framed by the sites of its embed allow-list, and may send its visitor
    on to its redirect address after a post (a form action too, for the browser)."""
    redirect = urlsplit(str(settings.get("redirect_url") or ""))
    actions = [f"{redirect.scheme}://{redirect.netloc}"] if redirect.scheme in ("http", "https") else []
    domains = settings.get("allowed_domains") or []
    return {"Content-Security-Policy": headers.public(frame_ancestors=domains, form_action=actions)}


def allowed_origin(origin: str | None, settings: dict[str, Any], base_url: str, host: str) -> bool:
    """No Origin (a script, an old browser), our own site, or one of the form's allowed domains."""
    if not origin:
        return True
    found = _host(origin)
    if found in {_host(base_url), host.split(":")[0].lower()}:
        return True
    for domain in settings.get("allowed_domains") or []:
        domain = domain.lower().split(":")[0]
        if found == domain or (domain.startswith("*.") and found.endswith(domain[1:])):
            return True
    return False


def _cors(origin: str | None, settings: dict[str, Any], base_url: str, host: str) -> dict[str, str]:
    if origin and allowed_origin(origin, settings, base_url, host):
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {"Vary": "Origin"}


async def _posted(request: Request[Any, Any, Any]) -> tuple[dict[str, Any], bool]:
    """The post's values (lists for repeated keys) and whether it came as JSON."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type.endswith("json"):
        try:
            body = await request.json()
        except Exception:  # noqa: BLE001 - any undecodable body is the sender's mistake
            body = None
        if not isinstance(body, dict):
            raise NotFound("Send the form's values as a JSON object.", "body")
        return {
            str(k): v for k, v in list(body.items())[:MAX_KEYS] if isinstance(v, (str, int, float, bool, list))
        }, True
    form = await request.form()
    raw: dict[str, Any] = {}
    for key, value in list(form.multi_items())[: MAX_KEYS * 5]:
        if not isinstance(value, str):
            continue  # files are not form answers
        if key in raw:
            raw[key] = [*raw[key], value] if isinstance(raw[key], list) else [raw[key], value]
        else:
            raw[key] = value
    return raw, False


def _wants_json(request: Request[Any, Any, Any], as_json: bool) -> bool:
    return as_json or "application/json" in request.headers.get("accept", "")


def _visit(request: Request[Any, Any, Any], language: str, ip: str) -> intake.Visit:
    referrer = request.headers.get("referer")
    return intake.Visit(language=language, ip=ip, referrer=referrer, url=referrer)


async def _flooded(runtime: Runtime, form_id: int, ip: str) -> int | None:
    """The rate limits of posts: per address (every form together) and per form (everyone). None:
    go on; else the seconds to wait (Retry-After)."""
    settings = runtime.settings
    per_ip = await ratelimit.hit(
        runtime.redis, "post:" + ratelimit.ip_key(ip), limit=settings.public_posts_per_ip_minute, window_seconds=60
    )
    per_form = await ratelimit.hit(
        runtime.redis, f"form:{form_id}", limit=settings.public_posts_per_form_minute, window_seconds=60
    )
    waits = [wait for wait in (per_ip, per_form) if wait is not None]
    return max(waits) if waits else None


# The published version of each form, as this process last read it: a post does not read it again
# for RECENT seconds (a new publication is served everywhere within that time; versions never change).
RECENT = 2.0
_recent: dict[tuple[int, str], tuple[float, tuple[Form, FormVersion]]] = {}


async def _published(runtime: Runtime, slug: str) -> tuple[Form, FormVersion] | None:
    now = time.monotonic()
    key = (id(runtime), slug)
    cached = _recent.get(key)
    if cached is not None and now - cached[0] < RECENT:
        return cached[1]
    async with transaction(runtime.read_sessions) as session:
        try:
            found = await service.published_by_slug(session, slug)
        except NotFound:
            _recent.pop(key, None)
            return None
    if len(_recent) > 1000:
        _recent.clear()
    _recent[key] = (now, found)
    return found


async def _view(runtime: Runtime, form_id: int) -> None:
    async with transaction(runtime.sessions) as session:
        await intake.count_view(session, form_id)


def _other(settings: dict[str, Any], language: str) -> str | None:
    return next((lang for lang in settings.get("languages") or [] if lang != language), None)


def _query(request: Request[Any, Any, Any]) -> dict[str, str]:
    return {k: str(v)[:500] for k, v in list(request.query_params.items())[:50]}


async def _known(runtime: Runtime, form_id: int, token: str | None) -> dict[str, Any] | None:
    async with transaction(runtime.read_sessions) as session:
        contact_id = await intake._prefilled_contact(session, runtime.secret_key, form_id, token)
        return await intake.known_values(session, contact_id) if contact_id else None


def _page(
    runtime: Runtime,
    form: Form,
    version: FormVersion,
    language: str,
    *,
    values: dict[str, Any] | None = None,
    problem: tuple[str | None, str] | None = None,
    prefill_token: str | None = None,
    known: dict[str, Any] | None = None,
    query: dict[str, str] | None = None,
) -> str:
    fragment = render.fragment(
        version,
        form.slug,
        language,
        action=f"/f/{form.slug}",
        secret=runtime.secret_key,
        now=utcnow(),
        values=values,
        problem=problem,
        prefill_token=prefill_token if known else None,
        known=known,
        query=query,
        proof=markup.widget(runtime.settings, language),
    )
    return render.page(version, language, fragment, _other(version.settings, language))


@get("/f/{slug:str}", include_in_schema=False)
async def form_page(
    slug: str,
    runtime: Runtime,
    request: Request[Any, Any, Any],
    lang: str | None = Parameter(default=None, max_length=8),
    p: str | None = Parameter(default=None, max_length=1000),
) -> Response[str]:
    found = await _published(runtime, slug)
    if found is None:
        language = render.language_for({"languages": ["en", "fr"]}, lang, request.headers.get("accept-language"))
        return html(render.message(language, "no_form", status="error"), 404)
    form, version = found
    assert form.id is not None
    language = render.language_for(version.settings, lang, request.headers.get("accept-language"))
    await _view(runtime, form.id)
    known = await _known(runtime, form.id, p)
    page = html(_page(runtime, form, version, language, prefill_token=p, known=known, query=_query(request)))
    page.headers.update(page_policy(version.settings))
    return page


@get("/f/{slug:str}/thanks", include_in_schema=False)
async def thanks_page(
    slug: str,
    runtime: Runtime,
    request: Request[Any, Any, Any],
    lang: str | None = Parameter(default=None, max_length=8),
    next: str | None = Parameter(default=None, max_length=10),
) -> Response[str]:
    found = await _published(runtime, slug)
    settings = found[1].settings if found else {"languages": ["en", "fr"]}
    language = render.language_for(settings, lang, request.headers.get("accept-language"))
    if found is None:
        return html(render.message(language, "no_form", status="error"), 404)
    if next == "confirm":
        return html(render.message(language, "confirm_sent", found[1].name))
    return html(render.message(language, "thanks", found[1].name, render.thank_you(settings, language)))


@post("/f/{slug:str}", include_in_schema=False, status_code=200)
async def submit(slug: str, runtime: Runtime, request: Request[Any, Any, Any]) -> Response[Any]:
    raw, as_json = await _posted(request)
    script = _wants_json(request, as_json)
    found = await _published(runtime, slug)
    if found is None:
        raise NotFound("There is no such form.", "slug")
    form, version = found
    settings = version.settings
    wanted = raw.get("lang") if isinstance(raw.get("lang"), str) else None
    language = render.language_for(settings, wanted, request.headers.get("accept-language"))
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    headers = {**NO_STORE, **_cors(origin, settings, runtime.settings.base_url, host)}
    if not allowed_origin(origin, settings, runtime.settings.base_url, host):
        message = text(language, "form.cross_site")
        if script:
            return Response({"error": {"message": message, "field": "origin"}}, status_code=403, headers=headers)
        return Response(
            render.message(language, "cross_site", status="error"),
            media_type="text/html",
            status_code=403,
            headers=headers,
        )
    ip = ratelimit.client_ip(request, runtime.settings.trusted_proxies)
    assert form.id is not None
    wait = await _flooded(runtime, form.id, ip)
    if wait is not None:
        # Counted as spam, up to FLOOD_ROWS a minute a form: a flood must not become a flood of writes.
        if await ratelimit.hit(runtime.redis, f"flood-rows:{form.id}", limit=FLOOD_ROWS, window_seconds=60) is None:
            await intake.count_flood(runtime, form.id, version, ip)
        message = text(language, "form.too_many")
        retry = {**headers, "Retry-After": str(wait)}
        if script:
            return Response({"error": {"message": message, "field": None}}, status_code=429, headers=retry)
        return Response(
            render.message(language, "too_many", status="error"), media_type="text/html", status_code=429, headers=retry
        )
    outcome = await intake.submit(runtime, slug, raw, _visit(request, language, ip), found)
    if outcome.next == "invalid":
        if script:
            return Response(
                {"error": {"message": outcome.message, "field": outcome.field}}, status_code=422, headers=headers
            )
        shown = {k: v for k, v in raw.items() if not k.startswith("_") and k not in ("p", "altcha")}
        page = _page(
            runtime,
            form,
            version,
            language,
            values=shown,
            problem=(outcome.field, outcome.message or ""),
            prefill_token=raw.get("p") if isinstance(raw.get("p"), str) else None,
            known=await _known(runtime, form.id or 0, raw.get("p") if isinstance(raw.get("p"), str) else None),
        )
        return Response(page, media_type="text/html", status_code=422, headers={**headers, **page_policy(settings)})
    redirect_url = settings.get("redirect_url")
    if script:
        key = "confirm_sent" if outcome.next == "confirm" else "thanks"
        own = None if outcome.next == "confirm" else render.thank_you(settings, language)
        answer = SubmitAnswer(
            ok=True,
            next="confirm" if outcome.next == "confirm" else "done",
            message=own or text(language, f"form.{key}"),
            redirect_url=redirect_url if outcome.next != "confirm" else None,
        )
        return Response(answer, status_code=200, headers=headers)
    if redirect_url and outcome.next != "confirm":
        return Redirect(redirect_url, status_code=303, headers=headers)
    query = {"lang": language, **({"next": "confirm"} if outcome.next == "confirm" else {})}
    return Redirect(f"/f/{form.slug}/thanks?{urlencode(query)}", status_code=303, headers=headers)


@get("/f/confirm/{token:str}", include_in_schema=False)
async def confirm(token: str, runtime: Runtime, request: Request[Any, Any, Any]) -> Response[str]:
    done = await intake.confirm(runtime, token)
    settings = done.settings or {"languages": ["en", "fr"]}
    language = render.language_for(settings, None, request.headers.get("accept-language"))
    if done.status in ("invalid", "expired"):
        return html(
            render.message(language, f"{done.status}_link", status="error"), 400 if done.status == "invalid" else 410
        )
    title = done.form.name if done.form else ""
    if done.status == "already":
        return html(render.message(language, "already_confirmed", title))
    redirect_url = settings.get("redirect_url")
    if redirect_url:
        return Redirect(redirect_url, status_code=303, headers=NO_STORE)
    return html(render.message(language, "confirmed", title, render.thank_you(settings, language)))


EMBED = """(function(){var s=document.currentScript;if(!s)return;var box=document.createElement("div");
box.className="parcours-embed";box.innerHTML=%(html)s;s.parentNode.insertBefore(box,s.nextSibling);
box.querySelectorAll("script[src]").forEach(function(o){var n=document.createElement("script");n.src=o.src;n.defer=true;document.head.appendChild(n);o.remove();});
var f=box.querySelector("form");if(!f)return;var q=new URLSearchParams(window.location.search);
f.querySelectorAll("input[data-source]").forEach(function(i){var k=i.getAttribute("data-source");if(k&&q.get(k))i.value=q.get(k);});
function add(n,v){var i=document.createElement("input");i.type="hidden";i.name=n;i.value=v;f.appendChild(i);}
add("_url",window.location.href);add("_ref",document.referrer||"");
try{var a=window.parcours&&window.parcours.anonymousId&&window.parcours.anonymousId();if(a)f.elements.anonymous_id.value=a;}catch(e){}
f.addEventListener("submit",function(e){e.preventDefault();var b=f.querySelector("button[type=submit]");if(b)b.disabled=true;
fetch(%(action)s,{method:"POST",body:new URLSearchParams(new FormData(f)),headers:{Accept:"application/json"}})
.then(function(r){return r.json().then(function(j){return{ok:r.ok,j:j};});}).then(function(x){if(b)b.disabled=false;
var old=f.querySelector("[data-parcours-error]");if(old)old.remove();
if(x.ok){if(x.j.redirect_url){window.location.href=x.j.redirect_url;return;}var p=document.createElement("p");p.setAttribute("role","status");p.textContent=x.j.message;f.replaceWith(p);return;}
var m=document.createElement("p");m.setAttribute("role","alert");m.setAttribute("data-parcours-error","");m.className="error";m.textContent=(x.j.error&&x.j.error.message)||"";
var fld=x.j.error&&x.j.error.field&&f.elements[x.j.error.field];var at=fld&&(fld.nodeType?fld:fld[0]);
if(at&&at.parentNode){at.setAttribute("aria-invalid","true");at.parentNode.insertBefore(m,at.nextSibling);at.focus();}else{f.insertBefore(m,f.firstChild);}})
.catch(function(){if(b)b.disabled=false;});});})();
"""


def _js(value: str) -> str:
    return json.dumps(value).replace("</", "<\\/").replace("<!--", "<\\!--")


@get("/f/{slug:str}/embed.js", include_in_schema=False)
async def embed_script(
    slug: str,
    runtime: Runtime,
    request: Request[Any, Any, Any],
    lang: str | None = Parameter(default=None, max_length=8),
    page_id: int | None = Parameter(default=None, ge=1, le=2**31 - 1),
) -> Response[str]:
    found = await _published(runtime, slug)
    if found is None:
        return Response("/* There is no such form. */", media_type="text/javascript", status_code=404, headers=NO_STORE)
    form, version = found
    assert form.id is not None
    language = render.language_for(version.settings, lang, request.headers.get("accept-language"))
    await _view(runtime, form.id)
    action = f"{runtime.settings.base_url}/f/{form.slug}"
    fragment = render.fragment(
        version,
        form.slug,
        language,
        action=action,
        secret=runtime.secret_key,
        now=utcnow(),
        page_id=page_id,
        proof=markup.widget(runtime.settings, language, absolute=True),
    )
    return Response(
        EMBED % {"html": _js(fragment), "action": _js(action)}, media_type="text/javascript", headers=NO_STORE
    )


# Rate limits (429 with Retry-After, shared by every API process) are the guard's
# (parcours.guard.ratelimit), counted in Redis before anything is read from the database: every
# request here per address (a page view is a write), and posts per address and per form (submit).
forms_public_router = Router(
    path="/",
    route_handlers=[form_page, thanks_page, submit, confirm, embed_script],
    guards=[ratelimit.per_address("public", lambda settings: settings.public_requests_per_ip_minute)],
)
