// Names the steps show (an email's, a segment's, an event's): loaded once for the whole canvas.
import { createContext, useContext } from "react";
import { api, unwrap } from "../api/client";

export type Lookups = { emails: Map<number, string>; segments: Map<number, string>; events: Map<number, string> };

export const LookupsContext = createContext<Lookups>({ emails: new Map(), segments: new Map(), events: new Map() });

export const useLookups = () => useContext(LookupsContext);

/** The events a journey can register contacts for: published ones and drafts (not cancelled or over). */
export async function journeyEvents() {
  const [published, drafts] = await Promise.all((["published", "draft"] as const).map((status) =>
    unwrap(api.GET("/api/events", { params: { query: { status, limit: 500 } } }))));
  return [...published.items, ...drafts.items];
}
