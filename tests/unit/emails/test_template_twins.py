"""Every shipped template exists in English and in French: twins with the same key, the same
blocks or steps and the same personalization, only the words differ."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from parcours.emails import render

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"
LANGUAGES = ("en", "fr")
TAG = re.compile(r"<(mj-[a-z-]+|a|strong|br|tr|td)\b")
# A variable and its filters, without the default's words: {{ contact.first_name | default("…") }}.
VARIABLE = re.compile(r"\{\{\s*([a-z_.]+)")


def keys(kind: str, language: str, suffix: str) -> set[str]:
    return {path.stem for path in (TEMPLATES / kind / language).glob(f"*{suffix}")}


def twins(kind: str, suffix: str) -> list[str]:
    return sorted(keys(kind, "en", suffix) | keys(kind, "fr", suffix))


@pytest.mark.parametrize(("kind", "suffix"), [("emails", ".mjml"), ("emails", ".json"), ("journeys", ".json")])
def test_each_language_has_the_same_templates(kind: str, suffix: str) -> None:
    assert keys(kind, "en", suffix) == keys(kind, "fr", suffix)
    assert len(keys(kind, "en", suffix)) >= 6


def meta(kind: str, language: str, key: str) -> dict[str, Any]:
    data = json.loads((TEMPLATES / kind / language / f"{key}.json").read_text(encoding="utf-8"))
    assert data["key"] == key and data["language"] == language  # the file says what its folder says
    return dict(data)


@pytest.mark.parametrize("key", twins("emails", ".mjml"))
def test_email_twins_have_the_same_blocks_and_personalization(key: str) -> None:
    sources = {lang: (TEMPLATES / "emails" / lang / f"{key}.mjml").read_text(encoding="utf-8") for lang in LANGUAGES}
    english, french = (meta("emails", lang, key) for lang in LANGUAGES)
    assert TAG.findall(sources["en"]) == TAG.findall(sources["fr"])
    assert VARIABLE.findall(sources["en"]) == VARIABLE.findall(sources["fr"])
    assert VARIABLE.findall(english["subject"]) == VARIABLE.findall(french["subject"])
    assert english["category"] and french["category"] and english["description"] and french["description"]
    # Translated, not copied: the words a contact reads differ.
    assert english["subject"] != french["subject"]
    assert english["preheader"] != french["preheader"]
    assert render.compile_mjml(sources["fr"]).warnings == []
    assert "Unsubscribe" not in sources["fr"] and "Se désinscrire" in sources["fr"]


@pytest.mark.parametrize("key", twins("journeys", ".json"))
def test_journey_twins_have_the_same_graph(key: str) -> None:
    english, french = (meta("journeys", lang, key) for lang in LANGUAGES)
    assert english["definition"] == french["definition"]  # steps, settings, positions, edges and their labels
    assert english["settings"] == french["settings"]
    assert english["name"] != french["name"] and english["description"] != french["description"]
    emails = {n["config"]["template"] for n in english["definition"]["nodes"] if n["config"].get("template")}
    assert emails <= keys("emails", "fr", ".mjml")  # a French journey's emails start from French templates
