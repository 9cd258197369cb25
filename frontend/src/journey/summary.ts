// One line in plain words under each step's title: "Wait 2 days", "Welcome email", "Country is France".
import type { TFunction } from "i18next";
import { stepOf, type Config, type ConfigOf, type StepType } from "./definition";
import { parseDuration } from "./duration";
import type { Lookups } from "./lookups";
import { addressOf } from "./pageAddress";

export function durationWords(text: unknown, t: TFunction): string {
  const parsed = parseDuration(text);
  if (!parsed) return t("journeys.summary.no_duration");
  return t(`journeys.units.${parsed.unit}`, { count: Math.abs(parsed.amount) });
}

function named(map: Map<number, string>, id: unknown, missing: string): string {
  return typeof id === "number" ? (map.get(id) ?? `#${id}`) : missing;
}

/** "Attended an event", or "Attended an event: Launch webinar" when the step is about one event. */
function interaction(config: ConfigOf<"entry.interaction" | "flow.wait_for">, t: TFunction, lookups: Lookups): string {
  const what = t(`interactions.${config.type ?? ""}`, { defaultValue: config.type ?? "" });
  if (typeof config.event_id === "number") return `${what}: ${named(lookups.events, config.event_id, "")}`;
  if (typeof config.form_id === "number") return `${what}: ${named(lookups.forms, config.form_id, "")}`;
  const filter = "filter" in config ? config.filter : null;
  return config.type === "page_visited" && filter ? `${what}: ${addressOf(filter)}` : what;
}

export function summarize(type: StepType, config: Config, t: TFunction, lookups: Lookups): string {
  const step = stepOf(type, config);
  switch (step.type) {
    case "entry.segment":
    case "action.segment_add":
    case "action.segment_remove":
      return named(lookups.segments, step.config.segment_id, t("journeys.summary.pick_segment"));
    case "entry.interaction":
      return step.config.type ? interaction(step.config, t, lookups) : "";
    case "entry.date": {
      const { field, offset: text } = step.config;
      const offset = parseDuration(text);
      if (!field) return t("journeys.summary.pick_field");
      if (!offset || offset.amount === 0) return t("journeys.summary.on_date", { field });
      const key = offset.amount < 0 ? "journeys.summary.before_date" : "journeys.summary.after_date";
      return t(key, { field, duration: durationWords(text?.replace("-", ""), t) });
    }
    case "action.email":
      return named(lookups.emails, step.config.email_id, t("journeys.summary.pick_email"));
    case "action.event_register":
      return named(lookups.events, step.config.event_id, t("journeys.summary.pick_event"));
    case "action.update_field":
      return step.config.field ? `${step.config.field} = ${String(step.config.value ?? "")}` : t("journeys.summary.pick_field");
    case "action.stage":
      return step.config.stage ? t(`stages.${step.config.stage}`) : "";
    case "flow.wait":
      return t("journeys.summary.wait", { duration: durationWords(step.config.duration, t) });
    case "flow.wait_until":
      return t("journeys.summary.wait_until", { at: (step.config.at ?? "").replace("T", " ") });
    case "flow.wait_for":
      return t("journeys.summary.wait_for", {
        what: interaction(step.config, t, lookups),
        duration: durationWords(step.config.timeout, t),
      });
    case "flow.split":
      return (step.config.branches ?? []).map((b) => `${b.label} ${b.percent}%`).join(" · ");
    case "action.sms":
      return step.config.text ?? "";
    case "action.webhook":
      return step.config.url ?? "";
    case "flow.condition":
    case "flow.goal":
      return lookups.sentences.get(step.config.rule ?? "") ?? step.config.rule ?? "";
    default:
      return "";
  }
}
