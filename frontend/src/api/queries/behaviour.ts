// Behavioural fields: the query keys, the calls (on the generated client) and the hooks of the
// behavioural fields screen and of the segment builder's behavioural condition.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";
import { useCursorPages } from "../paging";

export type ComputedField = Schemas["ComputedFieldOut"];
export type ComputedFieldIn = Schemas["ComputedFieldIn"];
export type ComputedPreview = Schemas["ComputedPreview"];
export type BehaviourCondition = Schemas["BehaviourConditionIn"];

export const keys = {
  all: ["computed-fields"] as const,
  field: (id: number) => ["computed-field", id] as const,
  conditions: ["computed-fields", "conditions"] as const,
  preview: (body: ComputedFieldIn) => ["computed-field-preview", body] as const,
};

const fieldPath = (id: number) => ({ params: { path: { field_id: id } } });

export const listFields = (cursor?: string) =>
  unwrap(api.GET("/api/computed-fields", { params: { query: { limit: 100, origin: "screen", ...(cursor ? { cursor } : {}) } } }));
export const listConditionFields = () =>
  unwrap(api.GET("/api/computed-fields", { params: { query: { limit: 500, origin: "condition" } } }));
export const getField = (id: number) => unwrap(api.GET("/api/computed-fields/{field_id}", fieldPath(id)));
export const createField = (body: ComputedFieldIn) => unwrap(api.POST("/api/computed-fields", { body }));
export const updateField = (id: number, body: Partial<ComputedFieldIn>) =>
  unwrap(api.PATCH("/api/computed-fields/{field_id}", { ...fieldPath(id), body }));
export const deleteField = (id: number) => unwrap(api.DELETE("/api/computed-fields/{field_id}", fieldPath(id)));
export const previewField = (body: ComputedFieldIn) => unwrap(api.POST("/api/computed-fields/preview", { body }));
export const conditionField = (body: BehaviourCondition) => unwrap(api.POST("/api/computed-fields/conditions", { body }));

const RUNNING = new Set(["queued", "running"]);
export const isBackfilling = (field: ComputedField) => Boolean(field.backfill && RUNNING.has(field.backfill.status));

// ---- hooks ------------------------------------------------------------------------------------

/** The fields defined on the screen, a cursor page at a time; polled each second while one is backfilled. */
export const useFields = (fast: boolean) => useCursorPages(keys.all, listFields, { refetchInterval: fast ? 1_000 : 15_000 });

/** The counts the segment builder made for its behavioural conditions (by rule field name). */
export const useConditionFields = () =>
  useQuery({ queryKey: keys.conditions, queryFn: listConditionFields, select: (page) => page.items });

/** How an unsaved field's values spread over the base (the last answer stays while typing). */
export const useFieldPreview = (body: ComputedFieldIn, enabled: boolean) =>
  useQuery({ queryKey: keys.preview(body), queryFn: () => previewField(body), enabled, placeholderData: keepPreviousData, retry: false });
