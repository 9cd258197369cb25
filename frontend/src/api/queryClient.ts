// The SPA's query cache. Its invalidation also reaches a query on its first load: TanStack Query
// would have it join that fetch (there is no data to keep), whose answer may have been read before
// the change that invalidates it — an image uploaded while the library first loads stayed missing.
import {
  QueryClient,
  type InvalidateOptions,
  type InvalidateQueryFilters,
  type QueryKey,
} from "@tanstack/react-query";

export class ReadAfterWriteClient extends QueryClient {
  override async invalidateQueries<TTaggedQueryKey extends QueryKey = QueryKey>(
    filters: InvalidateQueryFilters<TTaggedQueryKey> = {},
    options?: InvalidateOptions,
  ): Promise<void> {
    // First loads still running are cancelled (back to loading), so the invalidation asks again.
    await this.cancelQueries({
      queryKey: filters.queryKey,
      exact: filters.exact,
      fetchStatus: "fetching",
      predicate: (query) => query.state.data === undefined && (filters.predicate?.(query) ?? true),
    });
    return super.invalidateQueries(filters, options);
  }
}

export const queries = new ReadAfterWriteClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 5_000 } },
});
