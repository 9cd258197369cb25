// The agenda in the editor: sessions as typed (wall-clock times in the event's time zone, like
// the event's own dates), their checks, and the conversions to and from the API. The order is
// the marketer's: the public page shows the sessions as listed, so nothing is sorted here.
import type { EventIn, EventOut } from "../../api/queries/events";

export type SessionDraft = {
  key: string; // the row's identity in the editor (React keys, undo); never sent
  title: string;
  starts_at: string; // "2030-05-01T14:00" in the event's time zone, or ""
  ends_at: string;
  speaker: string;
};

export type SessionIn = EventIn["sessions"] extends (infer S)[] | undefined ? S : never;
export type SessionField = "title" | "starts_at" | "ends_at" | "speaker";
type Convert = (value: string, zone: string) => string | null;

let added = 0;

/** A new row; it starts where the previous session ends (or with the event). */
export function newSession(after: SessionDraft | undefined, eventStart: string): SessionDraft {
  added += 1;
  return { key: `new-${added}`, title: "", starts_at: after?.ends_at || eventStart, ends_at: "", speaker: "" };
}

/** Saved sessions as rows. Keys depend on the position only, so two reads of one event are equal. */
export function sessionDrafts(sessions: EventOut["sessions"], toZoned: Convert, zone: string): SessionDraft[] {
  return sessions.map((s, index) => ({
    key: `saved-${index}`,
    title: s.title,
    starts_at: s.starts_at ? toZoned(s.starts_at, zone) ?? "" : "",
    ends_at: s.ends_at ? toZoned(s.ends_at, zone) ?? "" : "",
    speaker: s.speaker ?? "",
  }));
}

export function sessionBodies(sessions: SessionDraft[], fromZoned: Convert, zone: string): SessionIn[] {
  return sessions.map((s) => ({
    title: s.title.trim(),
    starts_at: fromZoned(s.starts_at, zone),
    ends_at: fromZoned(s.ends_at, zone),
    speaker: s.speaker.trim() || null,
  }));
}

export const sessionField = (index: number, field: SessionField) => `sessions[${index}].${field}`;

/** Problems per field, named as the server names them ("sessions[1].ends_at") -> translation key.
 * The same checks as events.checks.sessions_problem, in the same order. */
export function sessionProblems(sessions: SessionDraft[], fromZoned: Convert, zone: string, eventStart: string | null,
                                eventEnd: string | null): Record<string, string> {
  const problems: Record<string, string> = {};
  const within = (at: string) => !eventStart || !eventEnd || (at >= eventStart && at <= eventEnd);
  sessions.forEach((s, index) => {
    if (!s.title.trim()) problems[sessionField(index, "title")] = "events.agenda.problems.title";
    // ISO instants in UTC compare as text.
    const start = fromZoned(s.starts_at, zone);
    const end = fromZoned(s.ends_at, zone);
    if (s.starts_at && !start) problems[sessionField(index, "starts_at")] = "events.problems.date";
    if (s.ends_at && !end) problems[sessionField(index, "ends_at")] = "events.problems.date";
    if (start && end && end <= start) problems[sessionField(index, "ends_at")] = "events.agenda.problems.end_before_start";
    else if (end && !within(end)) problems[sessionField(index, "ends_at")] = "events.agenda.problems.outside";
    if (start && !within(start)) problems[sessionField(index, "starts_at")] = "events.agenda.problems.outside";
  });
  return problems;
}

/** The list with the row at `index` moved one place up (-1) or down (+1). */
export function moved<T>(items: T[], index: number, by: -1 | 1): T[] {
  const target = index + by;
  if (target < 0 || target >= items.length) return items;
  const next = [...items];
  [next[index], next[target]] = [next[target], next[index]];
  return next;
}
