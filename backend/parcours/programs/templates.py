"""The programs shipped under templates/programs/<language>/: a name, an objective and a KPI to
start from (welcome, onboarding, loyalty, cross-sell, reactivation, blank)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import msgspec

from parcours.programs.schemas import ProgramTemplate


@cache
def _load(directory: Path) -> tuple[ProgramTemplate, ...]:
    found = [
        msgspec.json.decode(source.read_bytes(), type=ProgramTemplate)
        for source in sorted((directory / "programs").glob("*/*.json"))
    ]
    return tuple(found)


def shipped(directory: Path, language: str) -> list[ProgramTemplate]:
    """The templates in one language (English when there are none in it), blank last."""
    every = _load(directory)
    chosen = [t for t in every if t.language == language] or [t for t in every if t.language == "en"]
    return sorted(chosen, key=lambda t: (t.key == "blank", t.name))
