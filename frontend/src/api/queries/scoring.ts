// Scoring: the query keys, the calls (on the generated client) and the hooks of the scoring screens
// and of the contact page's scores.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";

export type ScoringModel = Schemas["ModelOut"];
export type ScoringModelIn = Schemas["ModelIn"];
export type ScoringRule = NonNullable<ScoringModelIn["rules"]>[number];
export type InteractionRule = Extract<ScoringRule, { kind: "interaction" }>;
export type Distribution = Schemas["Preview"];

export const keys = {
  models: ["scoring-models"] as const,
  model: (id: number) => ["scoring-model", id] as const,
  preview: (body: ScoringModelIn) => ["scoring-preview", body] as const,
  // Under the contact's key: a change of the contact refreshes its scores.
  contactScores: (contactId: number, updatedAt: string) => ["contact", contactId, "scores", updatedAt] as const,
};

const modelPath = (id: number) => ({ params: { path: { model_id: id } } });

export const listModels = () => unwrap(api.GET("/api/scoring/models"));
export const getModel = (id: number) => unwrap(api.GET("/api/scoring/models/{model_id}", modelPath(id)));
export const createModel = (body: ScoringModelIn) => unwrap(api.POST("/api/scoring/models", { body }));
export const updateModel = (id: number, body: Partial<ScoringModelIn>) =>
  unwrap(api.PATCH("/api/scoring/models/{model_id}", { ...modelPath(id), body }));
export const deleteModel = (id: number) => unwrap(api.DELETE("/api/scoring/models/{model_id}", modelPath(id)));
export const previewModel = (body: ScoringModelIn) => unwrap(api.POST("/api/scoring/models/preview", { body }));

export const contactScores = (contactId: number) =>
  unwrap(api.GET("/api/contacts/{contact_id}/scores", { params: { path: { contact_id: contactId } } }));

// ---- hooks ------------------------------------------------------------------------------------

/** Every model; polled each second while one recomputes its scores. */
export const useModels = (recomputing: (model: ScoringModel) => boolean) =>
  useQuery({ queryKey: keys.models, queryFn: listModels, refetchInterval: (query) => (query.state.data?.some(recomputing) ? 1_000 : 15_000) });

export const useModel = (id: number | null, recomputing: (model: ScoringModel) => boolean) =>
  useQuery({
    queryKey: keys.model(id ?? 0),
    enabled: id !== null,
    queryFn: () => getModel(id!),
    refetchInterval: (query) => (query.state.data && recomputing(query.state.data) ? 1_000 : false),
  });

/** The score distribution of an unsaved model (the last answer stays while typing). */
export const useModelPreview = (body: ScoringModelIn, enabled: boolean) =>
  useQuery({ queryKey: keys.preview(body), queryFn: () => previewModel(body), enabled, placeholderData: keepPreviousData, retry: false });

/** A contact's score in each model, with the points that make it up. */
export const useContactScores = (contactId: number, updatedAt: string) =>
  useQuery({ queryKey: keys.contactScores(contactId, updatedAt), queryFn: () => contactScores(contactId), refetchInterval: 10_000 });
