// Outbox: the query keys, the calls and the hooks of the outbox screen (every message sent or held).
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../client";
import { useCursorPages } from "../paging";

export type OutboxFilter = { status: string | null; to: string };

export const keys = {
  all: ["outbox"] as const,
  list: (filter: OutboxFilter) => ["outbox", "list", filter] as const,
  message: (id: number) => ["outbox", "message", id] as const,
};

export const OUTBOX_PAGE = 100;
export const listMessages = (filter: OutboxFilter, cursor?: string) =>
  unwrap(api.GET("/api/outbox", {
    params: { query: { status: filter.status ?? undefined, to: filter.to || undefined, limit: OUTBOX_PAGE, ...(cursor ? { cursor } : {}) } },
  }));
export const getMessage = (id: number) => unwrap(api.GET("/api/outbox/{message_id}", { params: { path: { message_id: id } } }));

/** Messages, newest first, a cursor page at a time; refreshed as delivery goes on. */
export const useMessages = (filter: OutboxFilter) =>
  useCursorPages(keys.list(filter), (cursor) => listMessages(filter, cursor), { refetchInterval: 3_000 });

export const useMessage = (id: number | null) =>
  useQuery({ queryKey: keys.message(id ?? 0), enabled: id !== null, queryFn: () => getMessage(id!) });
