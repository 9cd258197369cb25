// The reports read from leads' origins: ROI, lead generation and the lead pipeline — the query keys,
// the calls (the report filters of the URL as their query) and the hooks of their pages.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { reportQuery, type ReportFilters } from "../../pages/reports/filters";
import { api, unwrap, type Schemas } from "../client";

export type RoiReport = Schemas["RoiReport"];
export type LeadGenerationReport = Schemas["LeadGenerationReport"];
export type PipelineReport = Schemas["PipelineReport"];

export const keys = {
  report: (name: string, filters: ReportFilters) => ["reports", name, filters] as const,
};

// A report answers JSON or CSV: its JSON shape is named here (the document types it as either).
export const roiReport = (filters: ReportFilters) =>
  unwrap(api.GET("/api/reports/roi", { params: { query: reportQuery(filters) } })) as Promise<RoiReport>;
export const leadGenerationReport = (filters: ReportFilters) =>
  unwrap(api.GET("/api/reports/lead-generation", { params: { query: reportQuery(filters) } })) as Promise<LeadGenerationReport>;
export const pipelineReport = (filters: ReportFilters) =>
  unwrap(api.GET("/api/reports/pipeline", { params: { query: reportQuery(filters) } })) as Promise<PipelineReport>;

const options = { placeholderData: keepPreviousData, refetchInterval: 60_000 };

export const useRoiReport = (filters: ReportFilters) =>
  useQuery({ queryKey: keys.report("roi", filters), queryFn: () => roiReport(filters), ...options });
export const useLeadGenerationReport = (filters: ReportFilters) =>
  useQuery({ queryKey: keys.report("lead-generation", filters), queryFn: () => leadGenerationReport(filters), ...options });
export const usePipelineReport = (filters: ReportFilters) =>
  useQuery({ queryKey: keys.report("pipeline", filters), queryFn: () => pipelineReport(filters), ...options });
