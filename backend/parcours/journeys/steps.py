"""Each journey step type: its settings (fields, defaults, bounds), and the step as the API reads
and writes it, one Struct per type tagged by `type`. The OpenAPI document and the SPA's types are
generated from these. Pure.

A draft may be unfinished: a field the step needs before publishing (an email to send, a rule...)
is optional here and named by the publishing checks (graph.check, checks.references); a value of
the wrong type or out of bounds is refused when the draft is saved.

Adding a step type: its config and its step here, what it does in engine.py, what publishing
checks in graph.py/checks.py, and the SPA's catalog entry and form (the build fails until they
exist for the new type).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast, get_args

import msgspec
from msgspec import Meta

# The same bounds as an id anywhere in the API (api.Id), kept here so that this module stays pure.
Ref = Annotated[int, Meta(ge=1, le=2**31 - 1)]
Label = Annotated[str, Meta(max_length=200)]
Text = Annotated[str, Meta(max_length=10_000)]
Duration = Annotated[str, Meta(max_length=50, description="ISO 8601: P2D (two days), PT2H (two hours), -P7D")]
Rule = Annotated[str, Meta(max_length=10_000, description="A rule in the segments' rule language")]
Hour = Annotated[int, Meta(ge=0, le=24)]
Percent = Annotated[float, Meta(ge=0, le=100)]
StepId = Annotated[str, Meta(min_length=1, max_length=64)]  # as a run stores it


class _Config(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


# ---- entries: who enters ----------------------------------------------------------------------------


class SegmentEntryConfig(_Config):
    segment_id: Ref | None = None
    include_later: bool = False  # also contacts who join the segment after publication


class InteractionEntryConfig(_Config):
    type: Label = ""
    rule: Rule | None = None
    # Over the interaction's own properties: url =~~ "pricing" (a page visit), form_id == 3 (a form).
    filter: Rule | None = None
    event_id: Ref | None = None  # event_* interactions: only those about this event
    form_id: Ref | None = None  # form_* interactions: only those of this form


class DateEntryConfig(_Config):
    field: Label = ""
    offset: Duration = "P0D"  # "-P7D": a week before the date
    yearly: bool = True  # birthdays and anniversaries come back every year


# ---- actions ----------------------------------------------------------------------------------------


class EmailStepConfig(_Config):
    email_id: Ref | None = None
    template: Label | None = None  # in journey templates: the email template to make the email from


# When a text message or a webhook call fails for good (after its tries): the contact's journey
# goes on (the error noted on its run), or stops there.
OnFailure = Literal["continue", "stop"]


class SmsStepConfig(_Config):
    text: Text = ""
    on_failure: OnFailure = "continue"


class WebhookStepConfig(_Config):
    url: Annotated[str, Meta(max_length=2000)] = ""
    on_failure: OnFailure = "continue"


class UpdateFieldStepConfig(_Config):
    field: Label = ""
    value: Any = None


class SegmentStepConfig(_Config):
    segment_id: Ref | None = None  # a static segment


class StageStepConfig(_Config):
    stage: Label = ""


class EventRegisterStepConfig(_Config):
    event_id: Ref | None = None


# ---- flow -------------------------------------------------------------------------------------------


class WaitStepConfig(_Config):
    duration: Duration = ""


class WaitUntilStepConfig(_Config):
    at: Annotated[str, Meta(max_length=50)] = ""  # "2026-12-24T09:00" (a moment) or "09:00" (the next such time of day)
    timezone: Label | None = None  # the journey's when empty; "contact": the contact's own
    send_hours: list[Hour] | None = None  # [9, 18]: if `at` falls outside, wait for the next opening


class WaitForStepConfig(_Config):
    type: Label = ""
    rule: Rule | None = None
    timeout: Duration = ""
    event_id: Ref | None = None  # event_* interactions: only those about this event
    form_id: Ref | None = None  # form_* interactions: only those of this form


class ConditionStepConfig(_Config):
    rule: Rule = ""


class SplitBranch(_Config):
    label: Label
    percent: Percent


class SplitStepConfig(_Config):
    branches: list[SplitBranch] = msgspec.field(default_factory=list)


class GoalStepConfig(_Config):
    rule: Rule = ""


class ExitStepConfig(_Config):
    pass


StepConfig = (
    SegmentEntryConfig
    | InteractionEntryConfig
    | DateEntryConfig
    | EmailStepConfig
    | SmsStepConfig
    | WebhookStepConfig
    | UpdateFieldStepConfig
    | SegmentStepConfig
    | StageStepConfig
    | EventRegisterStepConfig
    | WaitStepConfig
    | WaitUntilStepConfig
    | WaitForStepConfig
    | ConditionStepConfig
    | SplitStepConfig
    | GoalStepConfig
    | ExitStepConfig
)


# ---- the steps, as the API reads and writes them ----------------------------------------------------


class Position(msgspec.Struct, kw_only=True):
    """Where the step sits on the canvas."""

    x: float = 0
    y: float = 0


class _Step(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, tag_field="type"):
    id: StepId
    position: Position | None = None


class SegmentEntryStep(_Step, tag="entry.segment"):
    config: SegmentEntryConfig = msgspec.field(default_factory=SegmentEntryConfig)


class InteractionEntryStep(_Step, tag="entry.interaction"):
    config: InteractionEntryConfig = msgspec.field(default_factory=InteractionEntryConfig)


class DateEntryStep(_Step, tag="entry.date"):
    config: DateEntryConfig = msgspec.field(default_factory=DateEntryConfig)


class EmailStep(_Step, tag="action.email"):
    config: EmailStepConfig = msgspec.field(default_factory=EmailStepConfig)


class SmsStep(_Step, tag="action.sms"):
    config: SmsStepConfig = msgspec.field(default_factory=SmsStepConfig)


class WebhookStep(_Step, tag="action.webhook"):
    config: WebhookStepConfig = msgspec.field(default_factory=WebhookStepConfig)


class UpdateFieldStep(_Step, tag="action.update_field"):
    config: UpdateFieldStepConfig = msgspec.field(default_factory=UpdateFieldStepConfig)


class SegmentAddStep(_Step, tag="action.segment_add"):
    config: SegmentStepConfig = msgspec.field(default_factory=SegmentStepConfig)


class SegmentRemoveStep(_Step, tag="action.segment_remove"):
    config: SegmentStepConfig = msgspec.field(default_factory=SegmentStepConfig)


class StageStep(_Step, tag="action.stage"):
    config: StageStepConfig = msgspec.field(default_factory=StageStepConfig)


class EventRegisterStep(_Step, tag="action.event_register"):
    config: EventRegisterStepConfig = msgspec.field(default_factory=EventRegisterStepConfig)


class WaitStep(_Step, tag="flow.wait"):
    config: WaitStepConfig = msgspec.field(default_factory=WaitStepConfig)


class WaitUntilStep(_Step, tag="flow.wait_until"):
    config: WaitUntilStepConfig = msgspec.field(default_factory=WaitUntilStepConfig)


class WaitForStep(_Step, tag="flow.wait_for"):
    config: WaitForStepConfig = msgspec.field(default_factory=WaitForStepConfig)


class ConditionStep(_Step, tag="flow.condition"):
    config: ConditionStepConfig = msgspec.field(default_factory=ConditionStepConfig)


class SplitStep(_Step, tag="flow.split"):
    config: SplitStepConfig = msgspec.field(default_factory=SplitStepConfig)


class GoalStep(_Step, tag="flow.goal"):
    config: GoalStepConfig = msgspec.field(default_factory=GoalStepConfig)


class ExitStep(_Step, tag="flow.exit"):
    config: ExitStepConfig = msgspec.field(default_factory=ExitStepConfig)


Step = (
    SegmentEntryStep
    | InteractionEntryStep
    | DateEntryStep
    | EmailStep
    | SmsStep
    | WebhookStep
    | UpdateFieldStep
    | SegmentAddStep
    | SegmentRemoveStep
    | StageStep
    | EventRegisterStep
    | WaitStep
    | WaitUntilStep
    | WaitForStep
    | ConditionStep
    | SplitStep
    | GoalStep
    | ExitStep
)


def _config_type(step: type[_Step]) -> type[StepConfig]:
    info = msgspec.inspect.type_info(step)
    assert isinstance(info, msgspec.inspect.StructType)
    config = next(f.type for f in info.fields if f.name == "config")
    assert isinstance(config, msgspec.inspect.StructType)
    return cast("type[StepConfig]", config.cls)


# Each step type's settings, by type, in the palette's order.
CONFIGS: dict[str, type[StepConfig]] = {str(s.__struct_config__.tag): _config_type(s) for s in get_args(Step)}
