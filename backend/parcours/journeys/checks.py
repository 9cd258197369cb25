"""What publishing checks beyond the graph's shape: every email, segment, field and rule a step
names exists and is ready."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts.vocabulary import COMPUTED_FIELDS, LIFECYCLE_STAGES
from parcours.emails import service as emails
from parcours.errors import NotFound
from parcours.events import seats
from parcours.events import service as events
from parcours.forms import service as forms
from parcours.journeys import graph
from parcours.journeys import steps as s
from parcours.journeys.graph import Problem
from parcours.journeys.schemas import JourneySettings
from parcours.rules import service as rules
from parcours.rules.language import RuleError, Schema, parse
from parcours.segments import service as segments

# Contact fields a journey step may not set: the identity, and what the product computes.
NOT_SETTABLE = {"email", "id", "created_at", "updated_at", *COMPUTED_FIELDS}


async def references(session: AsyncSession, definition: graph.Definition, settings: JourneySettings) -> list[Problem]:
    schema = await rules.current_schema(session)
    steps = {node.id: node.type for node in definition.nodes}
    problems: list[Problem] = []
    for node in definition.nodes:
        config = graph.config_of(node)
        if config is None:
            continue  # reported by graph.check
        for field, message in await _node_problems(session, schema, node.type, config, steps):
            problems.append(Problem(message=message, node_id=node.id, field=field))
    problems += await _settings_problems(session, schema, settings)
    return problems


def _rule_problem(schema: Schema, text: str | None) -> str | None:
    if not text:
        return None
    try:
        parse(text, schema)
    except RuleError as exc:
        return f"The rule is not valid: {exc.message}"
    return None


async def _run_rule_problem(
    session: AsyncSession, schema: Schema, text: str | None, steps: dict[str, str]
) -> str | None:
    """A condition inside the journey: it may ask what the contact did in its run, about the
    journey's own email steps and about events that exist."""
    if not text:
        return None
    try:
        checked = parse(text, rules.journey_schema(schema))
    except RuleError as exc:
        return f"The rule is not valid: {exc.message}"
    for step in sorted(checked.step_ids):
        if step not in steps:
            return f"The rule names the step '{step}', which is not in this journey."
        if steps[step] != "action.email":
            return f"The rule asks about the email of step '{step}', which sends no email."
    for event_id in sorted(checked.event_ids):
        if problem := await _event_problem(session, event_id, open_only=False):
            return problem
    return None


async def _segment_problem(session: AsyncSession, segment_id: int | None, static: bool = False) -> str | None:
    if segment_id is None:
        return None
    try:
        segment = await segments.get_segment(session, segment_id)
    except NotFound:
        return f"There is no segment with id {segment_id}."
    if static and segment.kind != "static":
        return f"'{segment.name}' is a dynamic segment: its rule decides who is in it. Choose a static segment."
    return None


async def _node_problems(
    session: AsyncSession, schema: Schema, kind: str, config: s.StepConfig, steps: dict[str, str]
) -> list[tuple[str, str]]:
    found: list[tuple[str, str | None]] = []
    if isinstance(config, s.InteractionEntryConfig):
        found.append(("rule", _rule_problem(schema, config.rule)))  # before any run: about the contact only
    if isinstance(config, (s.WaitForStepConfig, s.ConditionStepConfig, s.GoalStepConfig)):
        found.append(("rule", await _run_rule_problem(session, schema, config.rule, steps)))
    match config:
        case s.EmailStepConfig(email_id=int(email_id)):
            found.append(("email_id", await _email_problem(session, email_id)))
        case s.SegmentEntryConfig(segment_id=segment_id):
            found.append(("segment_id", await _segment_problem(session, segment_id)))
        case s.SegmentStepConfig(segment_id=segment_id):
            found.append(("segment_id", await _segment_problem(session, segment_id, static=True)))
        case s.UpdateFieldStepConfig(field=str(name)) if name:
            field = schema.fields.get(name)
            if field is None or field.group not in ("contact", "custom") or name in NOT_SETTABLE:
                found.append(("field", f"'{name}' is not a contact field a journey can set."))
        case s.EventRegisterStepConfig(event_id=int(event_id)):
            found.append(("event_id", await _event_problem(session, event_id)))
        case (
            s.InteractionEntryConfig(type=str(about), event_id=int(event_id))
            | s.WaitForStepConfig(type=str(about), event_id=int(event_id))
        ):
            found.append(
                (
                    "event_id",
                    "Only event interactions (registered, attended...) are about an event."
                    if not about.startswith("event_")
                    else await _event_problem(session, event_id, open_only=False),
                )
            )
        case (
            s.InteractionEntryConfig(type=str(about), form_id=int(form_id))
            | s.WaitForStepConfig(type=str(about), form_id=int(form_id))
        ):
            found.append(
                (
                    "form_id",
                    "Only form interactions (form_submitted, form_confirmed) are about a form."
                    if not about.startswith("form_")
                    else await _form_problem(session, form_id),
                )
            )
        case s.StageStepConfig(stage=str(stage)) if stage and stage not in LIFECYCLE_STAGES:
            found.append(("stage", f"'{stage}' is not a lifecycle stage."))
        case s.DateEntryConfig(field=str(name)) if name:
            field = schema.fields.get(name)
            if field is None or field.type not in ("date", "datetime"):
                found.append(("field", f"'{name}' is not a date field."))
        case s.WaitUntilStepConfig(timezone=str(zone)) if zone not in ("", "contact"):
            found.append(("timezone", _zone_problem(zone)))
    return [(field, message) for field, message in found if message]


async def _email_problem(session: AsyncSession, email_id: int) -> str | None:
    try:
        email = await emails.get_email(session, email_id)
    except NotFound:
        return f"There is no email with id {email_id}."
    if email.archived:
        return f"The email '{email.name}' is archived: restore it or choose another."
    if not email.subject.strip() or not email.from_email:
        return f"The email '{email.name}' needs a subject and a sender."
    return None


async def _event_problem(session: AsyncSession, event_id: int, open_only: bool = True) -> str | None:
    try:
        event = await events.get_event(session, event_id)
    except NotFound:
        return f"There is no event with id {event_id}."
    problem = seats.registration_problem(event.status, public=False) if open_only else None
    return f"'{event.name}': {problem[0].lower()}{problem[1:]}" if problem else None


async def _form_problem(session: AsyncSession, form_id: int) -> str | None:
    try:
        await forms.get_form(session, form_id)
    except NotFound:
        return f"There is no form with id {form_id}."
    return None


def _zone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"'{name}' is not a time zone (e.g. Europe/Paris)."
    return None


async def _settings_problems(session: AsyncSession, schema: Schema, settings: JourneySettings) -> list[Problem]:
    found = [
        ("settings.timezone", _zone_problem(settings.timezone)),
        ("settings.suppression_segment_id", await _segment_problem(session, settings.suppression_segment_id)),
    ]
    if settings.starts_at and settings.ends_at and settings.ends_at <= settings.starts_at:
        found.append(("settings.ends_at", "The journey must end after it starts."))
    if settings.reentry == "after_days" and not settings.reentry_days:
        found.append(("settings.reentry_days", "Say after how many days a contact may enter again."))
    if settings.goal is not None:
        found.append(("settings.goal.rule", _rule_problem(schema, settings.goal.rule)))
        try:
            graph.duration(settings.goal.window)
        except ValueError as exc:
            found.append(("settings.goal.window", str(exc)))
        if not settings.goal.rule and not settings.goal.type:
            found.append(("settings.goal", "A goal is an interaction (e.g. purchase) or a rule."))
    return [Problem(message=message, field=field) for field, message in found if message]
