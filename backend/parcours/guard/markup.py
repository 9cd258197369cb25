"""The guard's part of a public form's HTML: the honeypot, the signed time, and (for browsers
with JavaScript) the ALTCHA widget. Escaped; a feature drops it inside its <form>."""

from __future__ import annotations

from datetime import datetime
from html import escape

from markupsafe import Markup

from parcours.guard import antispam
from parcours.guard.routes import CHALLENGE_PATH, SCRIPT_PATH, script_path
from parcours.settings import Settings

# The honeypot's label, read only by whoever reaches the hidden field (never shown on screen).
_LEAVE_EMPTY = {
    "en": "Leave this field empty (it stops robots)",
    "fr": "Laissez ce champ vide (il arrête les robots)",
}
# The widget's language file we ship besides English (guard/altcha.js carries fr-fr).
_WIDGET_LANGUAGE = {"en": "en", "fr": "fr-fr"}

_HIDDEN_BOX = "position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden"


def hidden_fields(
    secret: str, now: datetime, language: str = "en", *, id_prefix: str = "guard", snippet_scope: str | None = None
) -> Markup:
    """The honeypot and the `_ts` stamp: what every post needs, with or without JavaScript.
    `id_prefix` keeps the honeypot's id unique when a page shows several forms; `snippet_scope`
    signs a timeless stamp for a plain HTML snippet of that form (antispam.snippet_stamp)."""
    stamp = antispam.snippet_stamp(secret, snippet_scope) if snippet_scope else antispam.stamp(secret, now)
    label = escape(_LEAVE_EMPTY.get(language, _LEAVE_EMPTY["en"]))
    honeypot = antispam.HONEYPOT
    return Markup(
        f'<div style="{_HIDDEN_BOX}" aria-hidden="true">'
        f'<label for="{escape(id_prefix)}-{honeypot}">{label}</label>'
        f'<input type="text" id="{escape(id_prefix)}-{honeypot}" name="{honeypot}" value="" tabindex="-1" autocomplete="off">'
        "</div>"
        f'<input type="hidden" name="{antispam.STAMP_FIELD}" value="{escape(stamp)}">'
    )


def widget(settings: Settings, language: str = "en", *, absolute: bool = False) -> Markup:
    """The proof-of-work checkbox and its script (served by us, cached a year). It starts working
    when the visitor enters the form, so it is done by the time they send it. Without JavaScript
    it renders nothing and the post goes out without proof (the form's policy decides).
    `absolute`: full URLs (settings.base_url), for a form embedded on another site."""
    return widget_at(settings.base_url if absolute else "", language, script_path(settings.frontend_path))


def widget_at(base_url: str, language: str = "en", script: str = SCRIPT_PATH) -> Markup:
    """`widget` where the settings are not at hand: the script's address without its version
    (browsers keep it 5 minutes instead of a year)."""
    base = base_url.rstrip("/")
    return Markup(
        f'<script src="{escape(base + script)}" defer></script>'
        f'<altcha-widget name="{antispam.PROOF_FIELD}" challenge="{escape(base + CHALLENGE_PATH)}"'
        f' language="{_WIDGET_LANGUAGE.get(language, "en")}" auto="onfocus" data-testid="form-proof"></altcha-widget>'
    )
