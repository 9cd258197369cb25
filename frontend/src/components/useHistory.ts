import { useCallback, useState } from "react";

/** A value with undo and redo (Ctrl+Z, Ctrl+Shift+Z): nothing is lost on a wrong click. */
export function useHistory<T>(initial: T) {
  const [state, setState] = useState<{ past: T[]; present: T; future: T[] }>({ past: [], present: initial, future: [] });

  const set = useCallback((next: T | ((current: T) => T)) => {
    setState((s) => {
      const value = typeof next === "function" ? (next as (c: T) => T)(s.present) : next;
      if (JSON.stringify(value) === JSON.stringify(s.present)) return s;
      return { past: [...s.past.slice(-99), s.present], present: value, future: [] };
    });
  }, []);
  // A change in progress (a node being dragged): shown at once, recorded once by `commit`.
  const preview = useCallback((next: T | ((current: T) => T)) => {
    setState((s) => ({ ...s, present: typeof next === "function" ? (next as (c: T) => T)(s.present) : next }));
  }, []);
  const commit = useCallback((since: T) => {
    setState((s) => (JSON.stringify(since) === JSON.stringify(s.present) ? s : { past: [...s.past.slice(-99), since], present: s.present, future: [] }));
  }, []);
  const reset = useCallback((value: T) => setState({ past: [], present: value, future: [] }), []);
  const undo = useCallback(
    () => setState((s) => (s.past.length ? { past: s.past.slice(0, -1), present: s.past[s.past.length - 1], future: [s.present, ...s.future] } : s)),
    [],
  );
  const redo = useCallback(
    () => setState((s) => (s.future.length ? { past: [...s.past, s.present], present: s.future[0], future: s.future.slice(1) } : s)),
    [],
  );
  return { value: state.present, set, preview, commit, reset, undo, redo, canUndo: state.past.length > 0, canRedo: state.future.length > 0 };
}
