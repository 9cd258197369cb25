// Marketing spend: entries per month and channel, their sums, the CSV import.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";

export type SpendIn = Schemas["SpendIn"];
export type SpendEntry = Schemas["SpendOut"];

export const keys = {
  all: ["marketing-spend"] as const,
  entries: (first: string, last: string) => ["marketing-spend", "entries", first, last] as const,
  summary: (first: string, last: string) => ["marketing-spend", "summary", first, last] as const,
};

export const listSpend = (first: string, last: string) =>
  unwrap(api.GET("/api/marketing-spend", { params: { query: { first, last, limit: 500 } } }));
export const spendSummary = (first: string, last: string) =>
  unwrap(api.GET("/api/marketing-spend/summary", { params: { query: { first, last } } }));
export const addSpend = (body: SpendIn) => unwrap(api.POST("/api/marketing-spend", { body }));
export const deleteSpend = (id: number) =>
  unwrap(api.DELETE("/api/marketing-spend/{spend_id}", { params: { path: { spend_id: id } } }));
export const importSpend = (csv: string) => unwrap(api.POST("/api/marketing-spend/import", { body: { csv } }));

export const useSpend = (first: string, last: string) =>
  useQuery({ queryKey: keys.entries(first, last), queryFn: () => listSpend(first, last) });
export const useSpendSummary = (first: string, last: string) =>
  useQuery({ queryKey: keys.summary(first, last), queryFn: () => spendSummary(first, last) });
