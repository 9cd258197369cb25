// What the canvas shows on top of each step (a problem, live counts, the test path), kept out
// of the nodes' data: a step re-renders only when its own decoration changes.
import { createContext, useContext, useSyncExternalStore } from "react";

export type Counts = { entered: number; waiting: number; completed: number; exited: number };
export type Decoration = { problem?: boolean; counts?: Counts; onPath?: boolean };

const NONE: Decoration = {};

function same(a: Decoration, b: Decoration): boolean {
  const ca = a.counts;
  const cb = b.counts;
  const countsSame = ca === cb || (!!ca && !!cb && ca.entered === cb.entered && ca.waiting === cb.waiting && ca.completed === cb.completed && ca.exited === cb.exited);
  return a.problem === b.problem && a.onPath === b.onPath && countsSame;
}

export class Decorations {
  private byId = new Map<string, Decoration>();
  private listeners = new Set<() => void>();

  update(next: Record<string, Decoration>) {
    let changed = false;
    const ids = new Set([...this.byId.keys(), ...Object.keys(next)]);
    for (const id of ids) {
      const before = this.byId.get(id) ?? NONE;
      const after = next[id] ?? NONE;
      if (same(before, after)) continue;
      this.byId.set(id, after);
      changed = true;
    }
    if (changed) this.listeners.forEach((listener) => listener());
  }

  get = (id: string): Decoration => this.byId.get(id) ?? NONE;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };
}

export const DecorationsContext = createContext(new Decorations());

export function useDecoration(id: string): Decoration {
  const store = useContext(DecorationsContext);
  return useSyncExternalStore(store.subscribe, () => store.get(id));
}
