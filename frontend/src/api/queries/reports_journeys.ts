// The marketing plan, journey reach and leaderboard reports: their calls and hooks.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";
import { reportQuery, type ReportFilters } from "../../pages/reports/filters";

export type PlanReport = Schemas["PlanReport"];
export type PlanRow = Schemas["PlanRow"];
export type JourneyReach = Schemas["JourneyReach"];
export type ReachItem = Schemas["ReachItem"];
export type ContactPath = Schemas["ContactPath"];

export const keys = {
  plan: (filters: ReportFilters) => ["report-plan", filters] as const,
  reach: (journeyId: number, filters: ReportFilters, q: string, cursor: string | null) =>
    ["report-journey-reach", journeyId, filters, q, cursor] as const,
  path: (journeyId: number, contactId: number) => ["report-journey-path", journeyId, contactId] as const,
};

export const planReport = (filters: ReportFilters) =>
  // Without format=csv, the JSON answer (the OpenAPI document says CSV is possible too).
  unwrap(api.GET("/api/reports/plan", { params: { query: reportQuery(filters) } })) as Promise<PlanReport>;
export const usePlan = (filters: ReportFilters) =>
  useQuery({ queryKey: keys.plan(filters), queryFn: () => planReport(filters), placeholderData: keepPreviousData });

export const journeyReach = (journeyId: number, filters: ReportFilters, q: string, cursor: string | null) =>
  unwrap(api.GET("/api/reports/journey-reach", {
    params: { query: { ...reportQuery(filters), journey_id: journeyId, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) } },
  })) as Promise<JourneyReach>;
export const useJourneyReach = (journeyId: number | null, filters: ReportFilters, q: string, cursor: string | null) =>
  useQuery({
    queryKey: keys.reach(journeyId ?? 0, filters, q, cursor),
    queryFn: () => journeyReach(journeyId ?? 0, filters, q, cursor),
    enabled: journeyId !== null,
    placeholderData: keepPreviousData,
  });

export const contactPath = (journeyId: number, contactId: number) =>
  unwrap(api.GET("/api/reports/journey-reach/{contact_id}", {
    params: { path: { contact_id: contactId }, query: { journey_id: journeyId } },
  }));
export const useContactPath = (journeyId: number, contactId: number | null) =>
  useQuery({
    queryKey: keys.path(journeyId, contactId ?? 0),
    queryFn: () => contactPath(journeyId, contactId ?? 0),
    enabled: contactId !== null,
  });

export type Leaderboard = Schemas["Leaderboard"];
export type LeaderItem = Schemas["LeaderItem"];
export type LeaderKind = "journeys" | "emails";
export type LeaderMetric = Leaderboard["metric"];

/** Journeys, or emails (those of `of`, a journey, when given), ranked by `metric`. */
export const leaderboard = (filters: ReportFilters, kind: LeaderKind, metric: LeaderMetric, of: number | null) =>
  unwrap(api.GET("/api/reports/leaderboard", {
    params: { query: { ...reportQuery(of ? { ...filters, journey_ids: [of] } : filters), kind, metric } },
  })) as Promise<Leaderboard>;
export const useLeaderboard = (filters: ReportFilters, kind: LeaderKind, metric: LeaderMetric, of: number | null) =>
  useQuery({
    queryKey: ["report-leaderboard", filters, kind, metric, of] as const,
    queryFn: () => leaderboard(filters, kind, metric, of),
    placeholderData: keepPreviousData,
  });
