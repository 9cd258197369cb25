// Segments: the query keys, the calls (on the generated client) and the hooks of the segment screens.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../client";

export const keys = {
  // The journey editor reads ["segments"] too: every key below starts with it, so one
  // invalidation of `all` refreshes them all.
  all: ["segments"] as const,
  presets: ["segments", "presets"] as const,
};

export const listSegments = () => unwrap(api.GET("/api/segments"));
export const listPresets = () => unwrap(api.GET("/api/segments/presets"));
export const createFromPreset = (key: string) => unwrap(api.POST("/api/segments/presets/{key}", { params: { path: { key } } }));
export const deleteSegment = (id: number) => unwrap(api.DELETE("/api/segments/{segment_id}", { params: { path: { segment_id: id } } }));

// ---- hooks ------------------------------------------------------------------------------------

/** Every segment (a whole list: see "Lists and paging" in the README), sizes refreshed often. */
export const useSegments = () => useQuery({ queryKey: keys.all, queryFn: listSegments, refetchInterval: 10_000 });
export const usePresets = () => useQuery({ queryKey: keys.presets, queryFn: listPresets });
