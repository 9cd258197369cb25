// Events: the query keys, the calls (on the generated client) and the hooks of the events list, the editor and its tabs.
import { useQuery } from "@tanstack/react-query";
import { api, multipart, unwrap, type Schemas } from "../client";
import { useCursorPages } from "../paging";

export type EventOut = Schemas["EventOut"];
export type EventIn = Schemas["EventIn"];
export type EventPatch = Schemas["EventPatch"];
export type EventStats = Schemas["EventStats"];
export type Registration = Schemas["RegistrationOut"];
export type RegistrationIn = Schemas["RegistrationIn"];
export type RegistrationStatus = "confirmed" | "waitlisted" | "cancelled";
export type CostIn = Schemas["CostIn"];
export type Cost = Schemas["CostOut"];
export type TeamMemberIn = Schemas["TeamMemberIn"];
export type TeamMember = Schemas["TeamMemberOut"];

export const EVENT_TYPES = ["in_person", "webinar", "hybrid"] as const;
export const COST_CATEGORIES = ["venue", "catering", "speakers", "ads", "other"] as const;
export const TEAM_ROLES = ["organizer", "speaker", "host", "staff"] as const;

export const keys = {
  list: (q: string) => ["events", { q }] as const,
  all: ["events"] as const,
  event: (id: number) => ["event", id] as const,
  registrations: (id: number) => ["event", id, "registrations"] as const,
  registrationList: (id: number, status: RegistrationStatus | null, q: string) =>
    ["event", id, "registrations", { status, q }] as const,
  stats: (id: number) => ["event", id, "stats"] as const,
  costs: (id: number) => ["event", id, "costs"] as const,
  team: (id: number) => ["event", id, "team"] as const,
};

const eventPath = (id: number) => ({ params: { path: { event_id: id } } });

export const EVENTS_PAGE = 50;
export const listEvents = (q: string, cursor?: string) =>
  unwrap(api.GET("/api/events", { params: { query: { ...(q ? { q } : {}), limit: EVENTS_PAGE, ...(cursor ? { cursor } : {}) } } }));
export const getEvent = (id: number) => unwrap(api.GET("/api/events/{event_id}", eventPath(id)));
export const createEvent = (body: EventIn) => unwrap(api.POST("/api/events", { body }));
export const updateEvent = (id: number, body: EventPatch) => unwrap(api.PATCH("/api/events/{event_id}", { ...eventPath(id), body }));
export const deleteEvent = (id: number) => unwrap(api.DELETE("/api/events/{event_id}", eventPath(id)));
export const eventStats = (id: number) => unwrap(api.GET("/api/events/{event_id}/stats", eventPath(id)));

export const REGISTRATIONS_PAGE = 50;
/** One page of registrations, after `cursor` (the first page without). */
export const listRegistrations = (id: number, status: RegistrationStatus | null, q: string, cursor?: string) =>
  unwrap(
    api.GET("/api/events/{event_id}/registrations", {
      params: {
        path: { event_id: id },
        query: { ...(status ? { status } : {}), ...(q ? { q } : {}), limit: REGISTRATIONS_PAGE, ...(cursor ? { cursor } : {}) },
      },
    }),
  );
export const registerContact = (id: number, body: RegistrationIn) =>
  unwrap(api.POST("/api/events/{event_id}/registrations", { ...eventPath(id), body }));
const registrationPath = (id: number, registrationId: number) => ({
  params: { path: { event_id: id, registration_id: registrationId } },
});
export const cancelRegistration = (id: number, registrationId: number) =>
  unwrap(api.POST("/api/events/{event_id}/registrations/{registration_id}/cancel", registrationPath(id, registrationId)));
export const importAttendance = (id: number, file: File) =>
  unwrap(api.POST("/api/events/{event_id}/attendance", { ...eventPath(id), ...multipart({ file }) }));
export const checkIn = (id: number, registrationId: number) =>
  unwrap(api.POST("/api/events/{event_id}/registrations/{registration_id}/check-in", registrationPath(id, registrationId)));

export const listCosts = (id: number) => unwrap(api.GET("/api/events/{event_id}/costs", eventPath(id)));
export const addCost = (id: number, body: CostIn) => unwrap(api.POST("/api/events/{event_id}/costs", { ...eventPath(id), body }));
export const removeCost = (id: number, costId: number) =>
  unwrap(api.DELETE("/api/events/{event_id}/costs/{cost_id}", { params: { path: { event_id: id, cost_id: costId } } }));

export const listTeam = (id: number) => unwrap(api.GET("/api/events/{event_id}/team", eventPath(id)));
export const addTeamMember = (id: number, body: TeamMemberIn) =>
  unwrap(api.POST("/api/events/{event_id}/team", { ...eventPath(id), body }));
export const removeTeamMember = (id: number, memberId: number) =>
  unwrap(api.DELETE("/api/events/{event_id}/team/{member_id}", { params: { path: { event_id: id, member_id: memberId } } }));

// ---- hooks ------------------------------------------------------------------------------------

/** The events list, latest start first, one cursor page at a time. */
export const useEvents = (q: string) =>
  useCursorPages(keys.list(q), (cursor) => listEvents(q, cursor), { refetchInterval: 15_000 });

/** The check-in list. Frequent refresh: a cancellation gives the seat to the waitlist a moment
 * later (a background job). */
export const useRegistrations = (id: number, status: RegistrationStatus | null, q: string) =>
  useCursorPages(keys.registrationList(id, status, q), (cursor) => listRegistrations(id, status, q, cursor),
    { refetchInterval: 3_000 });

export const useCosts = (id: number) => useQuery({ queryKey: keys.costs(id), queryFn: () => listCosts(id) });
/** An event's figures; the dashboard refreshes them as people register and check in. */
export const useEventStats = (id: number, refetchInterval?: number) =>
  useQuery({ queryKey: keys.stats(id), queryFn: () => eventStats(id), refetchInterval });
/** The organizing team (none to load for an event not saved yet). */
export const useTeam = (id: number | null) =>
  useQuery({ queryKey: keys.team(id ?? 0), enabled: id !== null, queryFn: () => listTeam(id!) });

export const useEvent = (id: number | null) =>
  useQuery({ queryKey: keys.event(id ?? 0), enabled: id !== null, queryFn: () => getEvent(id!) });
