"""The few pages a recipient sees (unsubscribe, preferences), in their language."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

WORDS = {
    "en": {
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_question": "Stop receiving marketing emails at {address}?",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribed": "You are unsubscribed: {address} will receive no more marketing emails.",
        "preferences_link": "Or choose which emails you receive",
        "preferences_title": "Your email preferences",
        "preferences_intro": "Choose the emails {address} receives.",
        "everything": "Unsubscribe from all marketing emails",
        "save": "Save my preferences",
        "saved": "Your preferences are saved.",
        "invalid": "This link is not valid. Use the link from the email you received.",
    },
    "fr": {
        "unsubscribe_title": "Désabonnement",
        "unsubscribe_question": "Ne plus recevoir d'e-mails marketing à l'adresse {address} ?",
        "unsubscribe_button": "Me désabonner",
        "unsubscribed": "Vous êtes désabonné : {address} ne recevra plus d'e-mails marketing.",
        "preferences_link": "Ou choisissez les e-mails que vous recevez",
        "preferences_title": "Vos préférences d'e-mails",
        "preferences_intro": "Choisissez les e-mails que reçoit {address}.",
        "everything": "Me désabonner de tous les e-mails marketing",
        "save": "Enregistrer mes préférences",
        "saved": "Vos préférences sont enregistrées.",
        "invalid": "Ce lien n'est pas valide. Utilisez le lien de l'e-mail que vous avez reçu.",
    },
}

_STYLE = ("body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1f2933;margin:0}"
          "main{max-width:480px;margin:64px auto;background:#fff;border-radius:12px;padding:32px}"
          "button{background:#4c6ef5;color:#fff;border:0;border-radius:8px;padding:10px 18px;font-size:16px}"
          "label{display:block;margin:10px 0}small{color:#7b8794}")


def language_of(contact: dict[str, Any] | None, accept_language: str | None) -> str:
    preferred = (contact or {}).get("language") or (accept_language or "")[:2]
    return "fr" if str(preferred).lower().startswith("fr") else "en"


def page(language: str, title_key: str, body: str) -> str:
    title = html.escape(WORDS[language][title_key])
    return (f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width,initial-scale=1"><title>{title}</title><style>{_STYLE}</style></head>'
            f"<body><main><h1>{title}</h1>{body}</main></body></html>")


def say(language: str, key: str, **values: str) -> str:
    return html.escape(WORDS[language][key].format(**values))


def unsubscribe_form(language: str, address: str, preferences_url: str) -> str:
    return page(language, "unsubscribe_title",
                f"<p>{say(language, 'unsubscribe_question', address=address)}</p>"
                f'<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
                f'<button type="submit" data-testid="unsubscribe-confirm">{say(language, "unsubscribe_button")}</button></form>'
                f'<p><a href="{html.escape(preferences_url)}">{say(language, "preferences_link")}</a></p>')


def unsubscribed(language: str, address: str) -> str:
    return page(language, "unsubscribe_title",
                f'<p data-testid="unsubscribe-done">{say(language, "unsubscribed", address=address)}</p>')


def preferences_form(language: str, address: str, topics: Sequence[Any], opted_out: set[str], everything: bool,
                     saved: bool) -> str:
    rows = []
    for topic in topics:
        name = topic.name_fr if language == "fr" else topic.name_en
        about = topic.description_fr if language == "fr" else topic.description_en
        checked = "" if topic.key in opted_out else " checked"
        rows.append(f'<label><input type="checkbox" name="topic" value="{html.escape(topic.key)}"{checked} '
                    f'data-testid="topic-{html.escape(topic.key)}"> {html.escape(name)}<br><small>{html.escape(about)}</small></label>')
    everything_checked = " checked" if everything else ""
    notice = f'<p data-testid="preferences-saved">{say(language, "saved")}</p>' if saved else ""
    return page(language, "preferences_title",
                f"{notice}<p>{say(language, 'preferences_intro', address=address)}</p><form method=\"post\">"
                + "".join(rows)
                + f'<label><input type="checkbox" name="everything" value="1"{everything_checked} data-testid="preferences-everything"> '
                f'{say(language, "everything")}</label><button type="submit" data-testid="preferences-save">{say(language, "save")}</button></form>')


def invalid(language: str) -> str:
    return page(language, "unsubscribe_title", f"<p>{say(language, 'invalid')}</p>")
