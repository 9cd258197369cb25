// The filters every report page shares, kept in the URL (`?from=…&to=…&journey_ids=…`): a view can
// be bookmarked or sent, and moving between report pages keeps them.
import dayjs from "dayjs";
import { useCallback, useMemo } from "react";
import { useUrlParams } from "../../components/useUrlParams";

export type ReportFilters = {
  from: string;
  to: string;
  journey_ids: number[];
  email_ids: number[];
  segment_id: number | null;
};

const DAY = "YYYY-MM-DD";
export const DEFAULT_DAYS = 30;

/** The last `days` days up to today, as ISO dates. */
export function lastDays(days: number): [string, string] {
  return [dayjs().subtract(days - 1, "day").format(DAY), dayjs().format(DAY)];
}

const ids = (values: string[]) => values.map(Number).filter((n) => Number.isInteger(n) && n > 0);

function read(params: URLSearchParams): ReportFilters {
  const [from, to] = lastDays(DEFAULT_DAYS);
  const segment = Number(params.get("segment_id"));
  return {
    from: params.get("from") ?? from,
    to: params.get("to") ?? to,
    journey_ids: ids(params.getAll("journey_ids")),
    email_ids: ids(params.getAll("email_ids")),
    segment_id: Number.isInteger(segment) && segment > 0 ? segment : null,
  };
}

/** The query parameters of a report call (openapi-fetch writes lists as repeated parameters). */
export function reportQuery(filters: ReportFilters) {
  return {
    from: filters.from,
    to: filters.to,
    ...(filters.journey_ids.length ? { journey_ids: filters.journey_ids } : {}),
    ...(filters.email_ids.length ? { email_ids: filters.email_ids } : {}),
    ...(filters.segment_id ? { segment_id: filters.segment_id } : {}),
  };
}

/** The same, as a URL search string (`from=…&to=…`), for links and CSV downloads. */
export function reportSearch(filters: ReportFilters, extra: Record<string, string | number> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...reportQuery(filters), ...extra })) {
    for (const one of Array.isArray(value) ? value : [value]) params.append(key, String(one));
  }
  return params.toString();
}

/** The filters of the page's URL, and a way to change some of them (the others are kept). */
export function useReportFilters() {
  const [params, update] = useUrlParams();
  const filters = useMemo(() => read(params), [params]);
  // `changes` may be worked out from the filters of the address bar (a list's pick added to it).
  const setFilters = useCallback(
    (changes: Partial<ReportFilters> | ((current: ReportFilters) => Partial<ReportFilters>)) =>
      update((next) => {
        const current = read(next);
        const merged = { ...current, ...(typeof changes === "function" ? changes(current) : changes) };
        for (const key of ["from", "to", "journey_ids", "email_ids", "segment_id"]) next.delete(key);
        new URLSearchParams(reportSearch(merged)).forEach((value, key) => next.append(key, value));
      }),
    [update],
  );
  return { filters, setFilters };
}
