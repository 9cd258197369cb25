// Scoring, lifecycle and pipeline calls, shared by the scoring screens, the pipeline board and the contact page.
import { api, unwrap, type Contact, type Schemas } from "../../api/client";

export type ScoringModel = Schemas["ModelOut"];
export type ScoringModelIn = Schemas["ModelIn"];
export type ScoringRule = NonNullable<ScoringModelIn["rules"]>[number];
export type InteractionRule = Extract<ScoringRule, { kind: "interaction" }>;
export type Distribution = Schemas["Preview"];
export type Pipeline = Schemas["Pipeline"];
export type LeadOrigin = "inbound" | "outbound";

export const scoringKeys = {
  models: ["scoring-models"] as const,
  model: (id: number) => ["scoring-model", id] as const,
  contactScores: (contactId: number) => ["contact", contactId, "scores"] as const,
  pipeline: (origin: LeadOrigin | null) => ["pipeline", origin] as const,
  column: (stage: string, origin: LeadOrigin | null) => ["pipeline", origin, stage] as const,
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

export const pipelineCounts = (origin: LeadOrigin | null) =>
  unwrap(api.GET("/api/pipeline", { params: { query: origin ? { origin } : {} } }));

export const PIPELINE_PAGE = 50;

export const stageContacts = (stage: string, origin: LeadOrigin | null) =>
  unwrap(
    api.GET("/api/contacts", {
      params: { query: { lifecycle_stage: stage as never, ...(origin ? { lead_origin: origin } : {}), limit: PIPELINE_PAGE } },
    }),
  );

export const moveToStage = (contactId: number, stage: string): Promise<Contact> =>
  unwrap(
    api.PATCH("/api/contacts/{contact_id}", {
      params: { path: { contact_id: contactId } },
      body: { lifecycle_stage: stage as never },
    }),
  );
