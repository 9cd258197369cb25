// The editor's form state, its checks, and the conversions to and from the API (dates are
// typed as wall-clock times in the event's own time zone, stored as instants).
import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone";
import utc from "dayjs/plugin/utc";
import { sessionBodies, sessionDrafts, sessionProblems, type SessionDraft } from "./agenda";
import type { EventIn, EventOut, EventPatch } from "../../api/queries/events";

dayjs.extend(utc);
dayjs.extend(timezone);

export type EventType = EventIn["type"];

export type Draft = {
  name: string;
  description: string;
  type: EventType | null; // asked on a new event: each type decides which "where" fields apply
  starts_at: string; // "2030-05-01T14:00", in `timezone`
  ends_at: string;
  timezone: string;
  venue_name: string;
  venue_address: string;
  online_url: string;
  capacity: number | null;
  registration_fee: number | null;
  budget: number | null;
  reminders: string[]; // ISO 8601 durations before the start
  sessions: SessionDraft[]; // the agenda, in the order shown on the public page
};

// The reminder offsets offered in the editor, longest first.
export const REMINDER_CHOICES = ["P7D", "P1D", "PT1H"] as const;

const INPUT_FORMAT = "YYYY-MM-DDTHH:mm";

export function allZones(): string[] {
  const zones = Intl.supportedValuesOf?.("timeZone") ?? [];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

/** An instant as the wall-clock time of `zone`, for a datetime-local input. */
export function toZoned(iso: string, zone: string): string {
  return dayjs(iso).tz(zone).format(INPUT_FORMAT);
}

/** A wall-clock time of `zone` as an instant (ISO, UTC); null when it is not a date. */
export function fromZoned(local: string, zone: string): string | null {
  if (!local || !dayjs(local, INPUT_FORMAT).isValid()) return null;
  try {
    return dayjs.tz(local, zone).toISOString();
  } catch {
    return null;
  }
}

/** A new event, in the organization's time zone. */
export function emptyDraft(zone: string): Draft {
  const start = dayjs().add(14, "day").hour(14).minute(0);
  return {
    name: "",
    description: "",
    type: null,
    starts_at: start.format(INPUT_FORMAT),
    ends_at: start.add(1, "hour").format(INPUT_FORMAT),
    timezone: zone,
    venue_name: "",
    venue_address: "",
    online_url: "",
    capacity: null,
    registration_fee: null,
    budget: null,
    reminders: ["P1D", "PT1H"],
    sessions: [],
  };
}

export function draftOf(event: EventOut): Draft {
  return {
    name: event.name,
    description: event.description,
    type: event.type as EventType,
    starts_at: toZoned(event.starts_at, event.timezone),
    ends_at: toZoned(event.ends_at, event.timezone),
    timezone: event.timezone,
    venue_name: event.venue.name ?? "",
    venue_address: event.venue.address ?? "",
    online_url: event.online_url ?? "",
    capacity: event.capacity,
    registration_fee: event.registration_fee,
    budget: event.budget,
    reminders: event.reminders ?? [],
    sessions: sessionDrafts(event.sessions, toZoned, event.timezone),
  };
}

/** Problems the marketer can fix before saving: field -> translation key. */
export function problemsOf(draft: Draft): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!draft.name.trim()) problems.name = "events.problems.name";
  if (!draft.type) problems.type = "events.problems.type";
  const start = fromZoned(draft.starts_at, draft.timezone);
  const end = fromZoned(draft.ends_at, draft.timezone);
  if (!start) problems.starts_at = "events.problems.date";
  if (!end) problems.ends_at = "events.problems.date";
  if (start && end && end <= start) problems.ends_at = "events.problems.end_before_start";
  Object.assign(problems, sessionProblems(draft.sessions, fromZoned, draft.timezone, start, start && end && end > start ? end : null));
  if (draft.online_url && !/^https?:\/\//.test(draft.online_url)) problems.online_url = "events.problems.url";
  for (const field of ["capacity", "registration_fee", "budget"] as const) {
    const value = draft[field];
    if (value !== null && (Number.isNaN(value) || value < 0)) problems[field] = "events.problems.number";
  }
  return problems;
}

export function bodyOf(draft: Draft, status: "draft" | "published"): EventIn {
  const venue = draft.venue_name || draft.venue_address
    ? { name: draft.venue_name || null, address: draft.venue_address || null }
    : null;
  return {
    name: draft.name.trim(),
    description: draft.description,
    type: draft.type!,
    starts_at: fromZoned(draft.starts_at, draft.timezone)!,
    ends_at: fromZoned(draft.ends_at, draft.timezone)!,
    timezone: draft.timezone,
    venue,
    online_url: draft.online_url || null,
    capacity: draft.capacity,
    registration_fee: draft.registration_fee,
    budget: draft.budget,
    reminders: draft.reminders,
    sessions: sessionBodies(draft.sessions, fromZoned, draft.timezone),
    status,
  };
}

/** Only what changed since `saved` (a finished event accepts only some fields). */
export function changesOf(draft: Draft, saved: Draft): EventPatch {
  const next = bodyOf(draft, "draft");
  const before = bodyOf(saved, "draft");
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(next) as (keyof EventIn)[]) {
    if (key !== "status" && JSON.stringify(next[key]) !== JSON.stringify(before[key])) patch[key] = next[key];
  }
  return patch as EventPatch;
}
