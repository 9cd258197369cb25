// Segments: the query keys, the calls (on the generated client) and the hooks of the segment screens.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";
import { useCursorPages } from "../paging";

export type SegmentIn = Schemas["SegmentIn"];
export type SegmentPatch = Schemas["SegmentPatch"];
export type SegmentPreviewIn = Schemas["segments_schemas_PreviewIn"];

export const keys = {
  // The journey editor reads ["segments"] too: the list's key is also the prefix of the presets'
  // key, so one invalidation of `all` refreshes both.
  all: ["segments"] as const,
  presets: ["segments", "presets"] as const,
  segment: (id: number) => ["segment", id] as const,
  // A segment's members start with ["segment-members", id]: a refresh or a removal reloads every page.
  members: (id: number) => ["segment-members", id] as const,
  memberList: (id: number, q: string, size: number, refreshedAt: string | null) =>
    ["segment-members", id, { q, size, refreshedAt }] as const,
  preview: (body: SegmentPreviewIn) => ["segment-preview", body] as const,
};

const segmentPath = (id: number) => ({ params: { path: { segment_id: id } } });

export const listSegments = () => unwrap(api.GET("/api/segments"));
export const getSegment = (id: number) => unwrap(api.GET("/api/segments/{segment_id}", segmentPath(id)));
export const createSegment = (body: SegmentIn) => unwrap(api.POST("/api/segments", { body }));
export const updateSegment = (id: number, body: SegmentPatch) => unwrap(api.PATCH("/api/segments/{segment_id}", { ...segmentPath(id), body }));
export const deleteSegment = (id: number) => unwrap(api.DELETE("/api/segments/{segment_id}", segmentPath(id)));
export const previewSegment = (body: SegmentPreviewIn) => unwrap(api.POST("/api/segments/preview", { body }));
export const refreshSegment = (id: number) => unwrap(api.POST("/api/segments/{segment_id}/refresh", segmentPath(id)));
export const snapshotSegment = (id: number) => unwrap(api.POST("/api/segments/{segment_id}/snapshot", segmentPath(id)));
export const addMembers = (id: number, contactIds: number[]) =>
  unwrap(api.POST("/api/segments/{segment_id}/members", { ...segmentPath(id), body: { contact_ids: contactIds } }));
export const removeMembers = (id: number, contactIds: number[]) =>
  unwrap(api.DELETE("/api/segments/{segment_id}/members", { ...segmentPath(id), body: { contact_ids: contactIds } }));
export const listPresets = () => unwrap(api.GET("/api/segments/presets"));
export const createFromPreset = (key: string) => unwrap(api.POST("/api/segments/presets/{key}", { params: { path: { key } } }));

export const MEMBERS_PAGE = 50;
export const listMembers = (id: number, q: string, cursor?: string) =>
  unwrap(api.GET("/api/segments/{segment_id}/members", {
    params: { path: { segment_id: id }, query: { q: q || undefined, limit: MEMBERS_PAGE, ...(cursor ? { cursor } : {}) } },
  }));

// ---- hooks ------------------------------------------------------------------------------------

/** Every segment (a whole list: see "Lists and paging" in the README), sizes refreshed often. */
export const useSegments = (options: { enabled?: boolean; refetchInterval?: number } = {}) =>
  useQuery({ queryKey: keys.all, queryFn: listSegments, refetchInterval: options.refetchInterval, enabled: options.enabled });
export const usePresets = () => useQuery({ queryKey: keys.presets, queryFn: listPresets });

/** Whether the members are being recomputed: a dynamic segment filling for the first time, or
 * after a saved change of its definition (saving changes `updated_at`; the refresh that follows
 * sets `last_refreshed_at`). */
export const isFilling = (segment: Schemas["SegmentOut"]) =>
  !segment.last_refreshed_at || (segment.kind === "dynamic" && Date.parse(segment.updated_at) > Date.parse(segment.last_refreshed_at));

/** One segment. Members move with refreshes and real-time changes: the count is kept current,
 * every second while the members are recomputed so that the new count shows as soon as it is known. */
export const useSegment = (id: number | null) =>
  useQuery({
    queryKey: keys.segment(id ?? 0),
    enabled: id !== null,
    queryFn: () => getSegment(id!),
    refetchInterval: (query) => (query.state.data && !isFilling(query.state.data) ? 5_000 : 1_000),
  });

/** A segment's members, a cursor page at a time. The size and the last refresh are in the key: a
 * change of either reloads the page shown. */
export const useMembers = (id: number, q: string, size: number, refreshedAt: string | null) =>
  useCursorPages(keys.memberList(id, q, size, refreshedAt), (cursor) => listMembers(id, q, cursor));

/** How many contacts an unsaved definition selects, with a sample (the last answer stays while typing). */
export const useSegmentPreview = (body: SegmentPreviewIn, enabled: boolean) =>
  useQuery({ queryKey: keys.preview(body), queryFn: () => previewSegment(body), enabled, placeholderData: keepPreviousData, retry: false });
