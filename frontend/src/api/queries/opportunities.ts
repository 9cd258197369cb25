// Opportunities: the query keys, the calls and the hooks of the opportunities list, its filters,
// the sections of the contact and company pages, and the create/edit drawer.
import { useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";
import { useCursorPages } from "../paging";

export type Opportunity = Schemas["OpportunityOut"];
export type OpportunityIn = Schemas["OpportunityIn"];
export type OpportunityPatch = Schemas["OpportunityPatch"];
export type Origin = Schemas["Origin"];
export type OriginKind = Origin["kind"];
export type OpportunityStage = NonNullable<OpportunityIn["stage"]>;

export const ORIGIN_KINDS: OriginKind[] = ["inbound", "outbound", "sales"];
export const OPPORTUNITY_STAGES: OpportunityStage[] = ["qualify", "develop", "propose", "won", "lost"];

/** What the list is filtered by (every part optional). */
export type OpportunityQuery = {
  contact_id?: number;
  account_id?: number;
  stage?: OpportunityStage;
  origin_kind?: OriginKind;
  journey_id?: number;
  close_from?: string;
  close_to?: string;
  q?: string;
};

export const keys = {
  // Every list of opportunities starts with "opportunities": one invalidation refreshes them all
  // (the list page, a contact's and a company's sections).
  all: ["opportunities"] as const,
  list: (query: OpportunityQuery) => ["opportunities", "list", query] as const,
};

export const OPPORTUNITIES_PAGE = 50;
export const listOpportunities = (query: OpportunityQuery, cursor?: string) =>
  unwrap(api.GET("/api/opportunities", { params: { query: { ...query, limit: OPPORTUNITIES_PAGE, ...(cursor ? { cursor } : {}) } } }));
const path = (id: number) => ({ params: { path: { opportunity_id: id } } });
export const createOpportunity = (body: OpportunityIn) => unwrap(api.POST("/api/opportunities", { body }));
export const updateOpportunity = (id: number, body: OpportunityPatch) =>
  unwrap(api.PATCH("/api/opportunities/{opportunity_id}", { ...path(id), body }));
export const deleteOpportunity = (id: number) => unwrap(api.DELETE("/api/opportunities/{opportunity_id}", path(id)));

// ---- hooks ------------------------------------------------------------------------------------

export const useOpportunities = (query: OpportunityQuery) =>
  useCursorPages(keys.list(query), (cursor) => listOpportunities(query, cursor));

/** Refreshes every list of opportunities (and the pipeline counts a stage change moves). */
export function useRefreshOpportunities() {
  const queries = useQueryClient();
  return () => {
    void queries.invalidateQueries({ queryKey: keys.all });
    void queries.invalidateQueries({ queryKey: ["pipeline"] });
    void queries.invalidateQueries({ queryKey: ["contacts"] });
  };
}
