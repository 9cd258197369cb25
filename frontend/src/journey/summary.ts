// One line in plain words under each step's title: "Wait 2 days", "Welcome email".
import type { TFunction } from "i18next";
import type { Branch } from "./catalog";
import type { Config } from "./definition";
import { parseDuration } from "./duration";
import type { Lookups } from "./lookups";

export function durationWords(text: unknown, t: TFunction): string {
  const parsed = parseDuration(text);
  if (!parsed) return t("journeys.summary.no_duration");
  return t(`journeys.units.${parsed.unit}`, { count: Math.abs(parsed.amount) });
}

function named(map: Map<number, string>, id: unknown, missing: string): string {
  return typeof id === "number" ? (map.get(id) ?? `#${id}`) : missing;
}

/** "Attended an event", or "Attended an event: Launch webinar" when the step is about one event. */
function interaction(config: Config, t: TFunction, lookups: Lookups): string {
  const what = t(`interactions.${String(config.type ?? "")}`, { defaultValue: String(config.type ?? "") });
  return typeof config.event_id === "number" ? `${what}: ${named(lookups.events, config.event_id, "")}` : what;
}

export function summarize(type: string, config: Config, t: TFunction, lookups: Lookups): string {
  const text = (key: string) => String(config[key] ?? "");
  switch (type) {
    case "entry.segment":
    case "action.segment_add":
    case "action.segment_remove":
      return named(lookups.segments, config.segment_id, t("journeys.summary.pick_segment"));
    case "entry.interaction":
      return config.type ? interaction(config, t, lookups) : "";
    case "entry.date": {
      const offset = parseDuration(config.offset);
      if (!config.field) return t("journeys.summary.pick_field");
      if (!offset || offset.amount === 0) return t("journeys.summary.on_date", { field: text("field") });
      const key = offset.amount < 0 ? "journeys.summary.before_date" : "journeys.summary.after_date";
      return t(key, { field: text("field"), duration: durationWords(config.offset?.toString().replace("-", ""), t) });
    }
    case "action.email":
      return named(lookups.emails, config.email_id, t("journeys.summary.pick_email"));
    case "action.event_register":
      return named(lookups.events, config.event_id, t("journeys.summary.pick_event"));
    case "action.update_field":
      return config.field ? `${text("field")} = ${text("value")}` : t("journeys.summary.pick_field");
    case "action.stage":
      return config.stage ? t(`stages.${text("stage")}`) : "";
    case "flow.wait":
      return t("journeys.summary.wait", { duration: durationWords(config.duration, t) });
    case "flow.wait_until":
      return t("journeys.summary.wait_until", { at: text("at").replace("T", " ") });
    case "flow.wait_for":
      return t("journeys.summary.wait_for", {
        what: interaction(config, t, lookups),
        duration: durationWords(config.timeout, t),
      });
    case "flow.split":
      return ((config.branches as Branch[] | undefined) ?? []).map((b) => `${b.label} ${b.percent}%`).join(" · ");
    case "action.sms":
    case "action.webhook":
    case "flow.condition":
    case "flow.goal":
      return text(type === "action.sms" ? "text" : type === "action.webhook" ? "url" : "rule");
    default:
      return "";
  }
}
