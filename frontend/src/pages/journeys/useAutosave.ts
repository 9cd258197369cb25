import { useDebouncedCallback } from "@mantine/hooks";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, api, unwrap, type Schemas } from "../../api/client";

type Patch = Schemas["JourneyPatch"];
export type SaveState = "saved" | "pending" | "saving" | "error";

/** Save the draft a moment after the marketer stops changing it; one request at a time, in order. */
export function useAutosave(journeyId: number, onSaved: (journey: Schemas["JourneyOut"]) => void) {
  const pending = useRef<Patch>({});
  const running = useRef<Promise<void>>(Promise.resolve());
  const [state, setState] = useState<SaveState>("saved");
  const [error, setError] = useState<ApiError | null>(null);
  const saved = useRef(onSaved);
  saved.current = onSaved;

  const flush = useCallback(() => {
    running.current = running.current.then(async () => {
      const body = pending.current;
      if (!Object.keys(body).length) return;
      pending.current = {};
      setState("saving");
      try {
        const journey = await unwrap(api.PATCH("/api/journeys/{journey_id}", { params: { path: { journey_id: journeyId } }, body }));
        setError(null);
        setState(Object.keys(pending.current).length ? "pending" : "saved");
        saved.current(journey);
      } catch (e) {
        pending.current = { ...body, ...pending.current };
        setError(e instanceof ApiError ? e : new ApiError((e as Error).message, 0));
        setState("error");
      }
    });
    return running.current;
  }, [journeyId]);

  const schedule = useDebouncedCallback(() => void flush(), 800);
  const change = useCallback((patch: Patch) => {
    pending.current = { ...pending.current, ...patch };
    setState("pending");
    schedule();
  }, [schedule]);

  // Closing the tab with changes not yet saved asks first; leaving the page saves them.
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (Object.keys(pending.current).length) event.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => {
      window.removeEventListener("beforeunload", warn);
      void flush();
    };
  }, [flush]);

  return { state, error, change, flush };
}
