// What the side panel flags while a step is being set up, before the server's full check.
import type { TFunction } from "i18next";
import type { Branch } from "./catalog";
import type { Config } from "./definition";
import { parseDuration } from "./duration";

const PICKED: Record<string, [string, string]> = {
  "entry.segment": ["segment_id", "journeys.errors.pick_segment"],
  "action.segment_add": ["segment_id", "journeys.errors.pick_segment"],
  "action.segment_remove": ["segment_id", "journeys.errors.pick_segment"],
  "action.email": ["email_id", "journeys.errors.pick_email"],
  "action.event_register": ["event_id", "journeys.errors.pick_event"],
};
const REQUIRED: Record<string, string> = {
  "entry.interaction": "type", "entry.date": "field", "action.sms": "text", "action.webhook": "url",
  "action.update_field": "field", "action.stage": "stage", "flow.wait_for": "type", "flow.condition": "rule",
  "flow.goal": "rule", "flow.wait_until": "at",
};
const DURATIONS: Record<string, string> = { "flow.wait": "duration", "flow.wait_for": "timeout" };

export function configErrors(type: string, config: Config, t: TFunction): Record<string, string> {
  const errors: Record<string, string> = {};
  if (PICKED[type] && config[PICKED[type][0]] == null) errors[PICKED[type][0]] = t(PICKED[type][1]);
  const required = REQUIRED[type];
  if (required && !String(config[required] ?? "").trim()) errors[required] = t("journeys.errors.required");
  const url = String(config.url ?? "");
  if (type === "action.webhook" && url && !/^https?:\/\//.test(url)) errors.url = t("journeys.errors.url");
  const duration = DURATIONS[type];
  if (duration && !((parseDuration(config[duration])?.amount ?? 0) > 0)) errors[duration] = t("journeys.errors.duration");
  if (type === "flow.split") {
    const branches = (config.branches as Branch[] | undefined) ?? [];
    const labels = branches.map((b) => b.label.trim());
    if (branches.length < 2) errors.branches = t("journeys.errors.two_branches");
    else if (labels.some((l) => !l) || new Set(labels).size !== labels.length) errors.branches = t("journeys.errors.branch_names");
    else if (Math.abs(branches.reduce((sum, b) => sum + (Number(b.percent) || 0), 0) - 100) > 1e-6) errors.branches = t("journeys.errors.total_100");
  }
  return errors;
}
