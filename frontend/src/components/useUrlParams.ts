// A page's query parameters (filters, sort, the item picked), and a way to change some of them
// while keeping the others. A change is built on the address bar, not on the parameters of the
// last render: the router renders a navigation in a transition, and a second pick made before that
// render (two filters chosen quickly, a slow machine) would otherwise undo the first.
import { useCallback } from "react";
import { useSearchParams } from "react-router";

/** A value sets the parameter; null or "" (a list or a search cleared) removes it. */
export type ParamChanges = Record<string, string | null>;

export function useUrlParams() {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (changes: ParamChanges | ((next: URLSearchParams) => void)) => {
      const next = new URLSearchParams(window.location.search);
      if (typeof changes === "function") changes(next);
      else for (const [key, value] of Object.entries(changes)) {
        if (!value) next.delete(key);
        else next.set(key, value);
      }
      setParams(next, { replace: true });
    },
    [setParams],
  );
  return [params, update] as const;
}
