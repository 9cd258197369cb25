"""The HTML of a published form (escaped by the templates, works without JavaScript), the hosted
page around it, and the pages a visitor reads after posting or confirming."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from parcours.forms import submission
from parcours.forms.models import FormVersion
from parcours.guard import markup
from parcours.web.catalog import LANGUAGES
from parcours.web.render import render


def language_for(settings: dict[str, Any], wanted: str | None, accept_language: str | None) -> str:
    """The visitor's language among the form's, else the form's first."""
    spoken = [lang for lang in settings.get("languages") or ["en"] if lang in LANGUAGES] or ["en"]
    for candidate in (wanted, (accept_language or "").split(",")[0]):
        code = (candidate or "").strip().lower()[:2]
        if code in spoken:
            return code
    return spoken[0]


def _field_view(field: dict[str, Any], language: str) -> dict[str, Any]:
    return {
        **field,
        "label_text": submission.localized(field, "label", language) or field["name"],
        "help_text": submission.localized(field, "help", language),
        "choices": [
            (o["value"], submission.localized(o, "label", language) or o["value"]) for o in field.get("options") or []
        ],
        "input_type": {"email": "email", "phone": "tel", "number": "text", "date": "date"}.get(field["type"], "text"),
    }


def fragment(
    version: FormVersion,
    slug: str,
    language: str,
    *,
    action: str,
    secret: str,
    now: datetime,
    page_id: int | None = None,
    values: dict[str, Any] | None = None,
    problem: tuple[str | None, str] | None = None,
    prefill_token: str | None = None,
    known: dict[str, Any] | None = None,
    query: dict[str, str] | None = None,
    proof: bool | str = False,
    snippet: bool = False,
) -> str:
    """The <form> alone: what the hosted page, embed.js and landing pages show. `proof`: the
    guard's widget markup (parcours.guard.markup.widget), or True for the widget on `action`'s site.
    `snippet`: the plain HTML to paste into another site (a timeless stamp, no widget)."""
    settings = version.settings
    fields = submission.shown(version.fields, known, bool(settings.get("progressive_profiling")))
    shown_values: dict[str, Any] = {}
    for f in fields:
        target = f.get("maps_to")
        if f["type"] == "hidden" and query and f.get("source") in query:
            shown_values[f["name"]] = query[f["source"]]
        elif known and target and known.get(target) not in (None, "") and f["type"] != "consent":
            shown_values[f["name"]] = known[target]
    shown_values.update(values or {})
    return render(
        "forms/form.html",
        language,
        slug=slug,
        action=action,
        fields=[_field_view(f, language) for f in fields],
        values=shown_values,
        problem=problem,
        page_id=page_id,
        prefill_token=prefill_token,
        submit=submission.localized(settings, "submit", language),
        proof=Markup(proof) if isinstance(proof, str) else markup.widget_at(_site(action), language) if proof else "",
        hidden=markup.hidden_fields(
            secret, now, language, id_prefix=f"pf-{slug}", snippet_scope=slug if snippet else None
        ),
    )


def _site(action: str) -> str:
    """The scheme and host of an absolute action (an embedded form), "" for a path on our site."""
    parts = urlsplit(action)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def page(version: FormVersion, language: str, form_html: str, other_language: str | None) -> str:
    return render("forms/page.html", language, title=version.name, form_html=form_html, other_language=other_language)


def message(language: str, key: str, title: str = "", own: str | None = None, status: str = "ok") -> str:
    return render("forms/message.html", language, key=key, title=title, own=own, status=status)


def thank_you(version_settings: dict[str, Any], language: str) -> str | None:
    return submission.localized(version_settings, "thank_you", language) or None
