// The kinds of steps a journey is made of: how each looks in the palette and on the canvas,
// what a new one starts with, and which exits it has.
import {
  IconArrowsSplit,
  IconBolt,
  IconCalendarEvent,
  IconCalendarTime,
  IconClock,
  IconDoorExit,
  IconHourglass,
  IconMail,
  IconMessage,
  IconPencil,
  IconPercentage,
  IconStairsUp,
  IconTarget,
  IconTicket,
  IconUserMinus,
  IconUserPlus,
  IconUsersGroup,
  IconWebhook,
} from "@tabler/icons-react";
import type { Config } from "./definition";

export type Group = "entry" | "action" | "flow";
type Kind = { type: string; icon: typeof IconMail; color: string; config: () => Config };

export const KINDS: Kind[] = [
  { type: "entry.segment", icon: IconUsersGroup, color: "green", config: () => ({ segment_id: null, include_later: true }) },
  { type: "entry.interaction", icon: IconBolt, color: "green", config: () => ({ type: "form_submitted", rule: null }) },
  { type: "entry.date", icon: IconCalendarEvent, color: "green", config: () => ({ field: "", offset: "P0D", yearly: true }) },
  { type: "action.email", icon: IconMail, color: "indigo", config: () => ({ email_id: null }) },
  { type: "action.sms", icon: IconMessage, color: "indigo", config: () => ({ text: "" }) },
  { type: "action.webhook", icon: IconWebhook, color: "indigo", config: () => ({ url: "" }) },
  { type: "action.update_field", icon: IconPencil, color: "indigo", config: () => ({ field: "", value: "" }) },
  { type: "action.segment_add", icon: IconUserPlus, color: "indigo", config: () => ({ segment_id: null }) },
  { type: "action.segment_remove", icon: IconUserMinus, color: "indigo", config: () => ({ segment_id: null }) },
  { type: "action.stage", icon: IconStairsUp, color: "indigo", config: () => ({ stage: "" }) },
  { type: "action.event_register", icon: IconTicket, color: "indigo", config: () => ({ event_id: null }) },
  { type: "flow.wait", icon: IconClock, color: "orange", config: () => ({ duration: "P1D" }) },
  { type: "flow.wait_until", icon: IconCalendarTime, color: "orange", config: () => ({ at: "09:00", timezone: null, send_hours: null }) },
  { type: "flow.wait_for", icon: IconHourglass, color: "orange", config: () => ({ type: "email_opened", rule: null, timeout: "P3D" }) },
  { type: "flow.condition", icon: IconArrowsSplit, color: "grape", config: () => ({ rule: "" }) },
  { type: "flow.split", icon: IconPercentage, color: "grape", config: () => ({ branches: [{ label: "A", percent: 50 }, { label: "B", percent: 50 }] }) },
  { type: "flow.goal", icon: IconTarget, color: "teal", config: () => ({ rule: "" }) },
  { type: "flow.exit", icon: IconDoorExit, color: "gray", config: () => ({}) },
];

const BY_TYPE = new Map(KINDS.map((k) => [k.type, k]));

export function kindOf(type: string): Kind {
  return BY_TYPE.get(type) ?? { type, icon: IconBolt, color: "gray", config: () => ({}) };
}

export function groupOf(type: string): Group {
  return type.split(".")[0] as Group;
}

/** `action.email` as it appears in test ids and translation keys: `action-email`, `action_email`. */
export const slug = (type: string) => type.replace(".", "-");
export const typeKey = (type: string) => type.replace(".", "_");

export type Branch = { label: string; percent: number };

/** The labelled exits a step must connect, `null` for one plain way out, `[]` for none. */
export function exitsOf(type: string, config: Config): string[] | null {
  if (type === "flow.condition") return ["yes", "no"];
  if (type === "flow.wait_for") return ["happened", "timeout"];
  if (type === "flow.split") return ((config.branches as Branch[] | undefined) ?? []).map((b) => b.label);
  if (type === "flow.exit") return [];
  return null;
}

// What a contact can do that a journey listens to (labels under `interactions.` in the locales).
export const INTERACTION_TYPES = [
  "email_opened",
  "email_clicked",
  "page_visited",
  "form_submitted",
  "purchase",
  "event_registered",
  "event_attended",
] as const;
