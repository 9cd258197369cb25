// Journeys: the query keys, the calls (on the generated client) and the hooks of the journeys list and editor.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";

export type JourneySummary = Schemas["JourneySummary"];
export type JourneyIn = Schemas["JourneyIn"];
export type JourneyPatch = Schemas["JourneyPatch"];

export const keys = {
  all: ["journeys"] as const,
  journey: (id: number) => ["journey", id] as const,
  stats: (id: number) => ["journey-stats", id] as const,
  // The step forms of the canvas read ["journey-events"] too.
  events: ["journey-events"] as const,
};

const journeyPath = (id: number) => ({ params: { path: { journey_id: id } } });

export const listJourneys = () => unwrap(api.GET("/api/journeys"));
/** The events a journey can register contacts for: published ones and drafts (not cancelled or over). */
export async function journeyEvents() {
  const [published, drafts] = await Promise.all((["published", "draft"] as const).map((status) =>
    unwrap(api.GET("/api/events", { params: { query: { status, limit: 500 } } }))));
  return [...published.items, ...drafts.items];
}
export const getJourney = (id: number) => unwrap(api.GET("/api/journeys/{journey_id}", journeyPath(id)));
export const createJourney = (body: JourneyIn) => unwrap(api.POST("/api/journeys", { body }));
export const updateJourney = (id: number, body: JourneyPatch) => unwrap(api.PATCH("/api/journeys/{journey_id}", { ...journeyPath(id), body }));
export const deleteJourney = (id: number) => unwrap(api.DELETE("/api/journeys/{journey_id}", journeyPath(id)));
export const validateJourney = (id: number) => unwrap(api.POST("/api/journeys/{journey_id}/validate", journeyPath(id)));
export const publishJourney = (id: number) => unwrap(api.POST("/api/journeys/{journey_id}/publish", journeyPath(id)));
/** Who publishing the draft now would enrol, and who it would leave out and why (changes nothing). */
export const journeyAudience = (id: number) => unwrap(api.POST("/api/journeys/{journey_id}/audience", journeyPath(id)));
/** The contacts left out for a reason: at the entry, or by a step's messages not sent (nodeId). */
export const journeyLeftOut = (id: number, reason: string, nodeId?: string) =>
  unwrap(api.GET("/api/journeys/{journey_id}/left-out", { params: { path: { journey_id: id }, query: { reason, ...(nodeId ? { node_id: nodeId } : {}) } } }));
export const moveJourney = (id: number, action: "pause" | "resume" | "stop") =>
  unwrap(action === "pause" ? api.POST("/api/journeys/{journey_id}/pause", journeyPath(id))
    : action === "resume" ? api.POST("/api/journeys/{journey_id}/resume", journeyPath(id))
      : api.POST("/api/journeys/{journey_id}/stop", journeyPath(id)));
export const journeyStats = (id: number) => unwrap(api.GET("/api/journeys/{journey_id}/stats", journeyPath(id)));

// ---- hooks ------------------------------------------------------------------------------------

/** Every journey with how many contacts entered and are inside, refreshed often. */
export const useJourneys = () => useQuery({ queryKey: keys.all, queryFn: listJourneys, refetchInterval: 10_000 });

/** One journey. The canvas owns the draft once loaded: the server's copy is not reloaded over it. */
export const journeyQuery = (id: number) => ({ queryKey: keys.journey(id), queryFn: () => getJourney(id), staleTime: Infinity });
export const useJourney = (id: number) => useQuery(journeyQuery(id));

/** Counts per step, refreshed while the journey runs. */
export const useJourneyStats = (id: number, { enabled, running }: { enabled: boolean; running: boolean }) =>
  useQuery({ queryKey: keys.stats(id), queryFn: () => journeyStats(id), enabled, refetchInterval: running ? 3_000 : false });

export const useJourneyEvents = (enabled = true) => useQuery({ queryKey: keys.events, queryFn: journeyEvents, enabled });
