// What the side panel flags while a step is being set up, before the server's full check.
import type { TFunction } from "i18next";
import { stepOf, type Config, type ConfigOf, type StepType } from "./definition";
import { parseDuration } from "./duration";

type Field<T extends StepType> = keyof ConfigOf<T> & string;
// Keyed by step type, naming that type's own fields (a field renamed in the backend fails the build).
type Fields = { [T in StepType]?: Field<T> };
type Picks = { [T in StepType]?: [Field<T>, string] };

// What must be chosen (with its message), filled in, or be a duration longer than nothing.
const PICKED: Picks = {
  "entry.segment": ["segment_id", "journeys.errors.pick_segment"],
  "action.segment_add": ["segment_id", "journeys.errors.pick_segment"],
  "action.segment_remove": ["segment_id", "journeys.errors.pick_segment"],
  "action.email": ["email_id", "journeys.errors.pick_email"],
  "action.event_register": ["event_id", "journeys.errors.pick_event"],
};
const REQUIRED: Fields = {
  "entry.interaction": "type", "entry.date": "field", "action.sms": "text", "action.webhook": "url",
  "action.update_field": "field", "action.stage": "stage", "flow.wait_for": "type", "flow.condition": "rule",
  "flow.goal": "rule", "flow.wait_until": "at",
};
const DURATIONS: Fields = { "flow.wait": "duration", "flow.wait_for": "timeout" };

export function configErrors(type: StepType, config: Config, t: TFunction): Record<string, string> {
  const errors: Record<string, string> = {};
  const value = (field: string): unknown => (config as Record<string, unknown>)[field];
  const picked = PICKED[type];
  if (picked && value(picked[0]) == null) errors[picked[0]] = t(picked[1]);
  const required = REQUIRED[type];
  if (required && !String(value(required) ?? "").trim()) errors[required] = t("journeys.errors.required");
  const duration = DURATIONS[type];
  if (duration && !((parseDuration(value(duration))?.amount ?? 0) > 0)) errors[duration] = t("journeys.errors.duration");
  const step = stepOf(type, config);
  if (step.type === "action.webhook" && step.config.url && !/^https?:\/\//.test(step.config.url)) errors.url = t("journeys.errors.url");
  if (step.type === "flow.split") {
    const branches = step.config.branches ?? [];
    const labels = branches.map((b) => b.label.trim());
    if (branches.length < 2) errors.branches = t("journeys.errors.two_branches");
    else if (labels.some((l) => !l) || new Set(labels).size !== labels.length) errors.branches = t("journeys.errors.branch_names");
    else if (Math.abs(branches.reduce((sum, b) => sum + (Number(b.percent) || 0), 0) - 100) > 1e-6) errors.branches = t("journeys.errors.total_100");
  }
  return errors;
}
