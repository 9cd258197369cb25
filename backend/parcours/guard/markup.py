"""The guard's part of a public form's HTML: the honeypot, the signed time, and (for browsers
with JavaScript) the ALTCHA widget. Escaped; a feature drops it inside its <form>."""

from __future__ import annotations

from datetime import datetime
from html import escape

from markupsafe import Markup

from parcours.guard import antispam
from parcours.guard.routes import CHALLENGE_PATH, script_path
from parcours.settings import Settings

# The honeypot's label, read only by whoever reaches the hidden field (never shown on screen).
_LEAVE_EMPTY = {
    "en": "Leave this field empty (it stops robots)",
    "fr": "Laissez ce champ vide (il arrête les robots)",
}
# The widget's language file we ship besides English (guard/altcha.js carries fr-fr).
_WIDGET_LANGUAGE = {"en": "en", "fr": "fr-fr"}

_HIDDEN_BOX = "position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden"


def hidden_fields(secret: str, now: datetime, language: str = "en") -> Markup:
    """The honeypot and the `_ts` stamp: what every post needs, with or without JavaScript."""
    label = escape(_LEAVE_EMPTY.get(language, _LEAVE_EMPTY["en"]))
    honeypot = antispam.HONEYPOT
    return Markup(
        f'<div style="{_HIDDEN_BOX}" aria-hidden="true">'
        f'<label for="guard-{honeypot}">{label}</label>'
        f'<input type="text" id="guard-{honeypot}" name="{honeypot}" value="" tabindex="-1" autocomplete="off">'
        "</div>"
        f'<input type="hidden" name="{antispam.STAMP_FIELD}" value="{escape(antispam.stamp(secret, now))}">'
    )


def widget(settings: Settings, language: str = "en", *, absolute: bool = False) -> Markup:
    """The proof-of-work checkbox and its script (served by us, cached a year). Without JavaScript
    it renders nothing and the post goes out without proof (the form's policy decides).
    `absolute`: full URLs (settings.base_url), for a form embedded on another site."""
    base = settings.base_url if absolute else ""
    return Markup(
        f'<script src="{escape(base + script_path(settings.frontend_path))}" defer></script>'
        f'<altcha-widget name="{antispam.PROOF_FIELD}" challenge="{escape(base + CHALLENGE_PATH)}"'
        f' language="{_WIDGET_LANGUAGE.get(language, "en")}"></altcha-widget>'
    )
