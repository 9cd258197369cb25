"""What a contact did in its journey run, as the journey's conditions read it (rules.fields'
JOURNEY_FIELDS): the emails of the run's steps it opened and clicked, the links it clicked, the
events it registered to and attended.

A run's email is the outbox message keyed `journey:<run>:<step>` (effects.py); opens and clicks
are the interactions tracking records about that message."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels import service as outbox
from parcours.interactions import service as interactions
from parcours.journeys.graph import Program
from parcours.rules.cache import RuleCache
from parcours.rules.fields import JOURNEY_FIELD_NAMES
from parcours.rules.language import RuleError, Schema

_TYPES = ("email_opened", "email_clicked", "event_registered", "event_attended")


def nothing() -> dict[str, Any]:
    """The facts of a run that did nothing yet (or whose journey never asks)."""
    return {name: set() for name in JOURNEY_FIELD_NAMES}


def rules_of(program: Program) -> list[str]:
    return [
        rule for config in program.configs.values() if isinstance(rule := getattr(config, "rule", None), str) and rule
    ]


def asks(program: Program, schema: Schema, cache: RuleCache) -> bool:
    """Whether one of this program's rules reads what the contact did in its run (a rule that no
    longer parses fails its run where the engine asks it)."""
    for rule in rules_of(program):
        try:
            if cache.check(rule, schema).fields & JOURNEY_FIELD_NAMES:
                return True
        except RuleError:
            continue
    return False


def email_steps(program: Program) -> list[str]:
    return [node.id for node in program.nodes.values() if node.type == "action.email"]


async def of_runs(session: AsyncSession, runs: Iterable[tuple[int, int, Program]]) -> Mapping[int, dict[str, Any]]:
    """The facts of each run (id, contact id, its version's program), by run id."""
    runs = list(runs)
    keys = {f"journey:{run_id}:{step}": (run_id, step) for run_id, _, program in runs for step in email_steps(program)}
    messages = {message_id: keys[key] for key, message_id in (await outbox.queued(session, list(keys))).items()}
    found = {run_id: nothing() for run_id, _, _ in runs}
    runs_of: dict[int, list[int]] = {}
    for run_id, contact_id, _ in runs:
        runs_of.setdefault(contact_id, []).append(run_id)
    done = await interactions.of_types(session, runs_of, _TYPES, None)
    for contact_id, happened in done.items():
        for kind, _at, properties in happened:
            if kind.startswith("event_"):
                event_id = properties.get("event_id")
                if isinstance(event_id, int):
                    for run_id in runs_of[contact_id]:
                        found[run_id]["registered_events" if kind == "event_registered" else "attended_events"].add(
                            float(event_id)
                        )
                continue
            run_step = messages.get(properties.get("message_id"))  # type: ignore[arg-type]
            if run_step is None:
                continue  # another journey's email, a campaign's, or another run's
            facts = found[run_step[0]]
            facts["opened_steps"].add(run_step[1])  # a click proves an open
            if kind == "email_clicked":
                facts["clicked_steps"].add(run_step[1])
                if url := properties.get("url"):
                    facts["clicked_links"].add(f"{run_step[1]} {url}")
    return found
