// Email results: every email of the period (from the daily rollups) and one email in detail.
import { useQuery } from "@tanstack/react-query";
import { reportQuery, type ReportFilters } from "../../pages/reports/filters";
import { api, unwrap, type Schemas } from "../client";

// The routes answer CSV too (format=csv, downloaded by links): these calls always get JSON.
export type EmailsReport = Schemas["EmailsReport"];
export type EmailReport = Schemas["EmailReport"];
export type EmailFigures = Schemas["EmailFigures"];
export type Rate = Schemas["Rate"];
export type Attribution = "last" | "first";

// The rollups follow the stream within moments: an open page follows them every minute.
const REFRESH = 60_000;

export const keys = {
  all: ["reports", "emails"] as const,
  list: (filters: ReportFilters) => ["reports", "emails", "list", filters] as const,
  one: (emailId: number, filters: ReportFilters, attribution: Attribution) =>
    ["reports", "emails", emailId, filters, attribution] as const,
};

export const emailsReport = async (filters: ReportFilters) =>
  (await unwrap(api.GET("/api/reports/emails", { params: { query: reportQuery(filters) } }))) as EmailsReport;

export const emailReport = async (emailId: number, filters: ReportFilters, attribution: Attribution) =>
  (await unwrap(
    api.GET("/api/reports/emails/{email_id}", {
      params: { path: { email_id: emailId }, query: { ...reportQuery(filters), attribution } },
    }),
  )) as EmailReport;

/** Every email with something in the period, with its figures, rates and A/B variants. */
export const useEmailsReport = (filters: ReportFilters) =>
  useQuery({ queryKey: keys.list(filters), queryFn: () => emailsReport(filters), refetchInterval: REFRESH });

/** One email: figures, links, days, hours of sending, domains, revenue by last or first click. */
export const useEmailReport = (emailId: number, filters: ReportFilters, attribution: Attribution) =>
  useQuery({ queryKey: keys.one(emailId, filters, attribution), queryFn: () => emailReport(emailId, filters, attribution), refetchInterval: REFRESH });
