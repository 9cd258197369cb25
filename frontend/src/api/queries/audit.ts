// Audit log: the query keys, the calls and the hooks of Settings → Audit log (admins only).
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../client";
import { useCursorPages } from "../paging";
import type { components } from "../schema";

export type AuditEntry = components["schemas"]["AuditEntryOut"];
export type AuditFilter = { actor: string; action: string | null; targetKind: string | null; from: string | null; to: string | null };

export const keys = {
  all: ["audit"] as const,
  list: (filter: AuditFilter) => ["audit", "list", filter] as const,
  actions: ["audit", "actions"] as const,
};

export const AUDIT_PAGE = 50;

function query(filter: AuditFilter) {
  return {
    actor: filter.actor || undefined,
    action: filter.action ?? undefined,
    target_kind: filter.targetKind ?? undefined,
    from: filter.from ?? undefined,
    to: filter.to ?? undefined,
  };
}

export const listEntries = (filter: AuditFilter, cursor?: string) =>
  unwrap(api.GET("/api/audit", { params: { query: { ...query(filter), limit: AUDIT_PAGE, ...(cursor ? { cursor } : {}) } } }));

/** The CSV of the entries the filters match (a link the browser downloads). */
export function csvUrl(filter: AuditFilter): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query(filter))) if (value) params.set(name, value);
  return `/api/audit/export.csv?${params.toString()}`;
}

/** Entries, newest first, a cursor page at a time. */
export const useAuditEntries = (filter: AuditFilter) => useCursorPages(keys.list(filter), (cursor) => listEntries(filter, cursor));

export const useAuditActions = () =>
  useQuery({ queryKey: keys.actions, queryFn: () => unwrap(api.GET("/api/audit/actions")) });
