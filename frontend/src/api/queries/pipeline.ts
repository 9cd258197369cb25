// The pipeline board: leads per lifecycle stage (inbound and outbound), the query keys, the calls
// and the hooks of the board and its columns.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Contact, type LifecycleStage, type Schemas } from "../client";

export type Pipeline = Schemas["Pipeline"];
export type LeadOrigin = "inbound" | "outbound" | "sales";

export const keys = {
  all: ["pipeline"] as const,
  counts: (origin: LeadOrigin | null) => ["pipeline", origin] as const,
  column: (stage: string, origin: LeadOrigin | null) => ["pipeline", origin, stage] as const,
  ofAccount: (accountId: number) => ["pipeline", "opportunities", { account_id: accountId }] as const,
};

export type Opportunity = Schemas["OpportunityOut"];

export const pipelineCounts = (origin: LeadOrigin | null) =>
  unwrap(api.GET("/api/pipeline", { params: { query: origin ? { origin } : {} } }));

export const PIPELINE_PAGE = 50;

export const stageContacts = (stage: string, origin: LeadOrigin | null) =>
  unwrap(
    api.GET("/api/contacts", {
      params: { query: { lifecycle_stage: stage as LifecycleStage, ...(origin ? { lead_origin: origin } : {}), limit: PIPELINE_PAGE } },
    }),
  );

export const moveToStage = (contactId: number, stage: string): Promise<Contact> =>
  unwrap(
    api.PATCH("/api/contacts/{contact_id}", {
      params: { path: { contact_id: contactId } },
      body: { lifecycle_stage: stage as LifecycleStage },
    }),
  );

/** A company's opportunities, newest first (its first hundred). */
export const accountOpportunities = (accountId: number) =>
  unwrap(api.GET("/api/opportunities", { params: { query: { account_id: accountId, limit: 100 } } }));

// ---- hooks ------------------------------------------------------------------------------------

export const usePipeline = (origin: LeadOrigin | null) =>
  useQuery({ queryKey: keys.counts(origin), queryFn: () => pipelineCounts(origin), refetchInterval: 15_000 });

export const useStageContacts = (stage: string, origin: LeadOrigin | null) =>
  useQuery({ queryKey: keys.column(stage, origin), queryFn: () => stageContacts(stage, origin), refetchInterval: 15_000 });

export const useAccountOpportunities = (accountId: number) =>
  useQuery({ queryKey: keys.ofAccount(accountId), queryFn: () => accountOpportunities(accountId) });
