// Journeys: the query keys, the calls (on the generated client) and the hooks of the journeys list.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";

export type JourneySummary = Schemas["JourneySummary"];

export const keys = {
  all: ["journeys"] as const,
};

export const listJourneys = () => unwrap(api.GET("/api/journeys"));
export const deleteJourney = (id: number) => unwrap(api.DELETE("/api/journeys/{journey_id}", { params: { path: { journey_id: id } } }));

// ---- hooks ------------------------------------------------------------------------------------

/** Every journey with how many contacts entered and are inside, refreshed often. */
export const useJourneys = () => useQuery({ queryKey: keys.all, queryFn: listJourneys, refetchInterval: 10_000 });
