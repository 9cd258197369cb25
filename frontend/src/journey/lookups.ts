// Names the steps show (an email's, a segment's, an event's): loaded once for the whole canvas.
import { createContext, useContext } from "react";

export type Lookups = { emails: Map<number, string>; segments: Map<number, string>; events: Map<number, string> };

export const LookupsContext = createContext<Lookups>({ emails: new Map(), segments: new Map(), events: new Map() });

export const useLookups = () => useContext(LookupsContext);
