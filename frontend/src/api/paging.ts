// The one paging convention of the API: a list answers { items, next_cursor, total } and the next
// page is asked with ?cursor=<next_cursor>. The SPA pages through it with numbered pages whose
// cursors are remembered as they are reached (previous pages stay one click away).
import { keepPreviousData, useQuery, type QueryKey } from "@tanstack/react-query";
import { useEffect, useState } from "react";

export type Page<T> = { items: T[]; next_cursor: string | null; total: number };

export type CursorPager = {
  /** The page shown, counting from 1. */
  page: number;
  /** The pages that can be reached: those seen, and the next one when there is one. */
  pages: number;
  setPage: (page: number) => void;
};

/** One page of a cursor list. `scope` names what the list is filtered by: another scope starts again
 * from page 1. The page's cursor is part of the query key, so a refresh reloads the page shown. */
export function useCursorPages<T>(
  key: QueryKey,
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  options: { refetchInterval?: number; enabled?: boolean } = {},
) {
  const scope = JSON.stringify(key);
  const [state, setState] = useState<{ scope: string; page: number; cursors: (string | undefined)[] }>(
    { scope, page: 1, cursors: [undefined] });
  const current = state.scope === scope ? state : { scope, page: 1, cursors: [undefined] };
  const cursor = current.cursors[current.page - 1];
  const query = useQuery({
    queryKey: [...key, { cursor: cursor ?? null }],
    queryFn: () => fetchPage(cursor),
    // Another page of the same list stays on screen while the next one loads; another filter's
    // rows do not (they would pass for results of the new search).
    placeholderData: (previous, previousQuery) =>
      previousQuery && JSON.stringify(previousQuery.queryKey.slice(0, -1)) === scope ? keepPreviousData(previous) : undefined,
    ...options,
  });
  // Rows can leave the list (cancelled under a filter): an emptied page goes back one page.
  const emptied = current.page > 1 && !query.isPlaceholderData && query.data?.items.length === 0;
  useEffect(() => {
    if (emptied) setState({ scope, page: current.page - 1, cursors: current.cursors.slice(0, current.page - 1) });
  }, [emptied, scope, current.page, current.cursors]);
  const next = query.data && !query.isPlaceholderData ? query.data.next_cursor : null;
  const known = current.cursors.length;
  const pages = next && current.page === known ? known + 1 : known;
  const pager: CursorPager = {
    page: current.page,
    pages,
    setPage: (page) => {
      const cursors = [...current.cursors];
      if (page === known + 1 && next) cursors.push(next);
      if (page < 1 || page > cursors.length) return;
      setState({ scope, page, cursors });
    },
  };
  return { ...query, items: query.data?.items, total: query.data?.total, pager };
}
