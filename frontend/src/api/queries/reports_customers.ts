// The customer reports: audience, RFM value, cohorts, products (all follow the report filters).
import { useQuery } from "@tanstack/react-query";
import { reportQuery, type ReportFilters } from "../../pages/reports/filters";
import { api, unwrap, type Schemas } from "../client";

export type AudienceReport = Schemas["AudienceReport"];
export type RfmReport = Schemas["RfmReport"];
export type CohortsReport = Schemas["CohortsReport"];
export type ProductsReport = Schemas["ProductsReport"];
export type CohortBasis = "first_purchase" | "created";

// The reports answer JSON, or CSV with format=csv (never asked here): the JSON branch it is.
const json = <T>(call: Promise<unknown>) => call as Promise<T>;

export const keys = {
  all: ["reports", "customers"] as const,
  audience: (f: ReportFilters, segment: number | null) => ["reports", "customers", "audience", f, segment] as const,
  rfm: (f: ReportFilters) => ["reports", "customers", "rfm", f] as const,
  cohorts: (f: ReportFilters, basis: CohortBasis, months: number) => ["reports", "customers", "cohorts", f, basis, months] as const,
  products: (f: ReportFilters) => ["reports", "customers", "products", f] as const,
};

/** The audience of the filters, or of another segment (`segment`: the side-by-side comparison). */
export const useAudienceReport = (filters: ReportFilters, segment: number | null = filters.segment_id, enabled = true) =>
  useQuery({
    queryKey: keys.audience(filters, segment),
    enabled,
    queryFn: () =>
      json<AudienceReport>(
        unwrap(
          api.GET("/api/reports/audience", {
            params: { query: { ...reportQuery(filters), ...(segment ? { segment_id: segment } : { segment_id: undefined }) } },
          }),
        ),
      ),
  });

/** Count the whole base again (a job); its audience is read from that count. */
export const refreshAudience = () => unwrap(api.POST("/api/reports/audience/refresh"));

export const useRfmReport = (filters: ReportFilters) =>
  useQuery({
    queryKey: keys.rfm(filters),
    queryFn: () => json<RfmReport>(unwrap(api.GET("/api/reports/rfm", { params: { query: reportQuery(filters) } }))),
  });

export const useCohortsReport = (filters: ReportFilters, basis: CohortBasis, months: number) =>
  useQuery({
    queryKey: keys.cohorts(filters, basis, months),
    queryFn: () =>
      json<CohortsReport>(unwrap(api.GET("/api/reports/cohorts", { params: { query: { ...reportQuery(filters), basis, months } } }))),
  });

export const useProductsReport = (filters: ReportFilters) =>
  useQuery({
    queryKey: keys.products(filters),
    queryFn: () => json<ProductsReport>(unwrap(api.GET("/api/reports/products", { params: { query: reportQuery(filters) } }))),
  });
