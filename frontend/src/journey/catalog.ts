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
import type { Schemas } from "../api/client";
import { stepOf, type Config, type ConfigOf, type StepType } from "./definition";

export type Group = "entry" | "action" | "flow";
type Look = { icon: typeof IconMail; color: string };
type Kind = Look & { type: StepType };

// How each step type looks, in the palette's order. Typed by the backend's step types: a new one
// must be given its look here (and its starting settings below) before the SPA builds.
const LOOKS: { [T in StepType]: Look } = {
  "entry.segment": { icon: IconUsersGroup, color: "green" },
  "entry.interaction": { icon: IconBolt, color: "green" },
  "entry.date": { icon: IconCalendarEvent, color: "green" },
  "action.email": { icon: IconMail, color: "indigo" },
  "action.sms": { icon: IconMessage, color: "indigo" },
  "action.webhook": { icon: IconWebhook, color: "indigo" },
  "action.update_field": { icon: IconPencil, color: "indigo" },
  "action.segment_add": { icon: IconUserPlus, color: "indigo" },
  "action.segment_remove": { icon: IconUserMinus, color: "indigo" },
  "action.stage": { icon: IconStairsUp, color: "indigo" },
  "action.event_register": { icon: IconTicket, color: "indigo" },
  "flow.wait": { icon: IconClock, color: "orange" },
  "flow.wait_until": { icon: IconCalendarTime, color: "orange" },
  "flow.wait_for": { icon: IconHourglass, color: "orange" },
  "flow.condition": { icon: IconArrowsSplit, color: "grape" },
  "flow.split": { icon: IconPercentage, color: "grape" },
  "flow.goal": { icon: IconTarget, color: "teal" },
  "flow.exit": { icon: IconDoorExit, color: "gray" },
};

// What a new step starts with (a likely choice where there is one; the backend's defaults otherwise).
const STARTING: { [T in StepType]: ConfigOf<T> } = {
  "entry.segment": { segment_id: null, include_later: true },
  "entry.interaction": { type: "form_submitted", rule: null },
  "entry.date": { field: "", offset: "P0D", yearly: true },
  "action.email": { email_id: null },
  "action.sms": { text: "", on_failure: "continue" },
  "action.webhook": { url: "", on_failure: "continue" },
  "action.update_field": { field: "", value: "" },
  "action.segment_add": { segment_id: null },
  "action.segment_remove": { segment_id: null },
  "action.stage": { stage: "" },
  "action.event_register": { event_id: null },
  "flow.wait": { duration: "P1D" },
  "flow.wait_until": { at: "09:00", timezone: null, send_hours: null },
  "flow.wait_for": { type: "email_opened", rule: null, timeout: "P3D" },
  "flow.condition": { rule: "" },
  "flow.split": { branches: [{ label: "A", percent: 50 }, { label: "B", percent: 50 }] },
  "flow.goal": { rule: "" },
  "flow.exit": {},
};

export const KINDS: Kind[] = (Object.keys(LOOKS) as StepType[]).map((type) => ({ type, ...LOOKS[type] }));

export const isStepType = (type: string): type is StepType => Object.hasOwn(LOOKS, type);

export function kindOf(type: StepType): Kind {
  return { type, ...LOOKS[type] };
}

/** A new step's settings (a fresh copy: the graph's configs are never shared between steps). */
export function startingConfig(type: StepType): Config {
  return structuredClone(STARTING[type]);
}

export function groupOf(type: StepType): Group {
  return type.split(".")[0] as Group;
}

/** `action.email` as it appears in test ids and translation keys: `action-email`, `action_email`. */
export const slug = (type: string) => type.replace(".", "-");
export const typeKey = (type: string) => type.replace(".", "_");

export type Branch = Schemas["SplitBranch"];

/** The labelled exits a step must connect, `null` for one plain way out, `[]` for none. */
export function exitsOf(type: StepType, config: Config): string[] | null {
  const step = stepOf(type, config);
  switch (step.type) {
    case "flow.condition":
      return ["yes", "no"];
    case "flow.wait_for":
      return ["happened", "timeout"];
    case "flow.split":
      return (step.config.branches ?? []).map((b) => b.label);
    case "flow.exit":
      return [];
    default:
      return null;
  }
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
