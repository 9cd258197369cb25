// Names the steps show (an email's, a segment's, an event's), the journey's email steps by name and
// its conditions as sentences: loaded once for the whole canvas.
import { createContext, useContext } from "react";

export type Lookups = {
  emails: Map<number, string>;
  segments: Map<number, string>;
  events: Map<number, string>;
  forms: Map<number, string>;
  /** The journey's email steps: node id -> the name shown (its email's). */
  emailSteps: Map<string, string>;
  /** Each condition's rule text -> the sentence it reads as. */
  sentences: Map<string, string>;
};

export const LookupsContext = createContext<Lookups>({
  emails: new Map(),
  segments: new Map(),
  events: new Map(),
  forms: new Map(),
  emailSteps: new Map(),
  sentences: new Map(),
});

export const useLookups = () => useContext(LookupsContext);
