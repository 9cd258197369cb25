import { useDebouncedCallback } from "@mantine/hooks";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client";

export type SaveState = "saved" | "pending" | "saving" | "error";

/** Save changes a moment after the marketer stops making them; one request at a time, in order.
 * A failed save keeps its changes for the next try, closing the tab with changes not yet saved
 * asks first, and leaving the page saves them. */
export function useAutosave<Patch extends object, Saved>(
  save: (patch: Patch) => Promise<Saved>,
  onSaved: (saved: Saved) => void,
  delay = 800,
) {
  const pending = useRef<Partial<Patch>>({});
  const running = useRef<Promise<void>>(Promise.resolve());
  const [state, setState] = useState<SaveState>("saved");
  const [error, setError] = useState<ApiError | null>(null);
  const latest = useRef({ save, onSaved });
  latest.current = { save, onSaved };

  const flush = useCallback(() => {
    running.current = running.current.then(async () => {
      const body = pending.current;
      if (!Object.keys(body).length) return;
      pending.current = {};
      setState("saving");
      try {
        const saved = await latest.current.save(body as Patch);
        setError(null);
        setState(Object.keys(pending.current).length ? "pending" : "saved");
        latest.current.onSaved(saved);
      } catch (e) {
        pending.current = { ...body, ...pending.current };
        setError(e instanceof ApiError ? e : new ApiError((e as Error).message, 0));
        setState("error");
      }
    });
    return running.current;
  }, []);

  const schedule = useDebouncedCallback(() => void flush(), delay);
  const change = useCallback((patch: Partial<Patch>) => {
    pending.current = { ...pending.current, ...patch };
    setState("pending");
    schedule();
  }, [schedule]);

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

  return { state, error, setError, change, flush };
}
