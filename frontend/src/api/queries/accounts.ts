// Companies (accounts): the query keys, the calls and the hooks of the companies list, a company's
// page (its details, its contacts' scores per model) and its form.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";
import { useCursorPages } from "../paging";

export type Account = Schemas["AccountOut"];
export type AccountIn = Schemas["AccountIn"];
export type AccountPatch = Schemas["AccountPatch"];
export type GroupScore = Schemas["GroupScoreOut"];

export const keys = {
  // Every list of companies starts with "accounts": one invalidation refreshes them all.
  all: ["accounts"] as const,
  list: (q: string) => ["accounts", "list", q] as const,
  // One company and what hangs from it start with ["account", id].
  account: (id: number) => ["account", id] as const,
  scores: (id: number) => ["account", id, "scores"] as const,
};

const accountPath = (id: number) => ({ params: { path: { account_id: id } } });

export const ACCOUNTS_PAGE = 50;
export const listAccounts = (q: string, cursor?: string) =>
  unwrap(api.GET("/api/accounts", { params: { query: { q: q || undefined, limit: ACCOUNTS_PAGE, ...(cursor ? { cursor } : {}) } } }));
export const getAccount = (id: number) => unwrap(api.GET("/api/accounts/{account_id}", accountPath(id)));
export const createAccount = (body: AccountIn) => unwrap(api.POST("/api/accounts", { body }));
export const updateAccount = (id: number, body: AccountPatch) => unwrap(api.PATCH("/api/accounts/{account_id}", { ...accountPath(id), body }));
export const deleteAccount = (id: number) => unwrap(api.DELETE("/api/accounts/{account_id}", accountPath(id)));
export const accountScores = (id: number) => unwrap(api.GET("/api/accounts/{account_id}/scores", accountPath(id)));

// ---- hooks ------------------------------------------------------------------------------------

/** The companies matching a search (a part of the name or of the domain), a cursor page at a time. */
export const useAccounts = (q: string) => useCursorPages(keys.list(q), (cursor) => listAccounts(q, cursor));

export const useAccount = (id: number) => useQuery({ queryKey: keys.account(id), queryFn: () => getAccount(id) });

/** Scores move as the worker rescores the company's contacts after a change: kept fresh. */
export const useAccountScores = (id: number) =>
  useQuery({ queryKey: keys.scores(id), queryFn: () => accountScores(id), refetchInterval: 5_000 });
