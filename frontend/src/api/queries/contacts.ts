// Contacts: the query keys, the calls (on the generated client) and the hooks of the contact list,
// the contact page (profile, consent history, timeline) and the contact pickers.
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Contact, type ContactIn, type ContactPatch, type Schemas } from "../client";
import type { paths } from "../schema";
import { useCursorPages } from "../paging";

/** The list's filters and sort, as the API takes them. */
export type ContactQuery = NonNullable<paths["/api/contacts"]["get"]["parameters"]["query"]>;
export type ContactSort = NonNullable<ContactQuery["sort"]>;
export type ConsentEvent = Schemas["ConsentEventOut"];
export type DuplicatePair = Schemas["DuplicatePair"];
export type MergeChoices = NonNullable<Schemas["MergeIn"]["fields"]>;

export const keys = {
  // Every list of contacts starts with "contacts": one invalidation refreshes them all.
  all: ["contacts"] as const,
  list: (query: ContactQuery) => ["contacts", "list", query] as const,
  picker: (q: string) => ["contacts", "picker", q] as const,
  duplicates: () => ["contacts", "duplicates"] as const,
  // One contact and what hangs from it (scores, consent, timeline) start with ["contact", id].
  contact: (id: number) => ["contact", id] as const,
  consent: (id: number) => ["contact", id, "consent"] as const,
  timeline: (id: number, types: string[]) => ["contact", id, "timeline", types] as const,
};

const contactPath = (id: number) => ({ params: { path: { contact_id: id } } });

export const CONTACTS_PAGE = 50;
export const listContacts = (query: ContactQuery, cursor?: string) =>
  unwrap(api.GET("/api/contacts", { params: { query: { ...query, limit: query.limit ?? CONTACTS_PAGE, ...(cursor ? { cursor } : {}) } } }));
export const getContact = (id: number) => unwrap(api.GET("/api/contacts/{contact_id}", contactPath(id)));
export const createContact = (body: ContactIn) => unwrap(api.POST("/api/contacts", { body }));
export const updateContact = (id: number, body: ContactPatch): Promise<Contact> =>
  unwrap(api.PATCH("/api/contacts/{contact_id}", { ...contactPath(id), body }));
export const eraseContact = (id: number) => unwrap(api.DELETE("/api/contacts/{contact_id}", contactPath(id)));
export const consentHistory = (id: number) => unwrap(api.GET("/api/contacts/{contact_id}/consent-history", contactPath(id)));

export const DUPLICATES_PAGE = 25;
export const listDuplicates = (cursor?: string) =>
  unwrap(api.GET("/api/contacts/duplicates", { params: { query: { limit: DUPLICATES_PAGE, ...(cursor ? { cursor } : {}) } } }));
/** Merge `otherId` into `survivorId` (which keeps its id), with the marketer's pick per field. */
export const mergeContacts = (survivorId: number, otherId: number, fields: MergeChoices) =>
  unwrap(api.POST("/api/contacts/{contact_id}/merge", { ...contactPath(survivorId), body: { other_id: otherId, fields } }));

/** Two contacts are different people: their pair is no longer proposed (undone with `undoTellApart`). */
export const tellApart = (contactId: number, otherId: number) =>
  unwrap(api.POST("/api/contacts/duplicates/distinct", { body: { contact_id: contactId, other_id: otherId } }));
export const undoTellApart = (contactId: number, otherId: number) =>
  unwrap(api.DELETE("/api/contacts/duplicates/distinct", { params: { query: { contact_id: contactId, other_id: otherId } } }));

export const TIMELINE_PAGE = 30;
export const listInteractions = (id: number, types: string[], cursor: string | null) =>
  unwrap(
    api.GET("/api/contacts/{contact_id}/interactions", {
      params: { path: { contact_id: id }, query: { limit: TIMELINE_PAGE, cursor: cursor ?? undefined, type: types.length ? types : undefined } },
    }),
  );

// ---- hooks ------------------------------------------------------------------------------------

/** The contact list under its filters and sort, a cursor page at a time. */
export const useContacts = (query: ContactQuery) => useCursorPages(keys.list(query), (cursor) => listContacts(query, cursor));

/** Pairs of contacts that are probably one person, a cursor page at a time. */
export const useDuplicates = () => useCursorPages(keys.duplicates(), listDuplicates);

/** One contact. Computed fields (opens, purchases...) move as the worker processes activity: kept fresh. */
export const useContact = (id: number) => useQuery({ queryKey: keys.contact(id), queryFn: () => getContact(id), refetchInterval: 10_000 });

export const useConsentHistory = (id: number) => useQuery({ queryKey: keys.consent(id), queryFn: () => consentHistory(id) });

/** The timeline, newest first, loaded a page further at each "more". */
export const useTimeline = (id: number, types: string[]) =>
  useInfiniteQuery({
    queryKey: keys.timeline(id, types),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => listInteractions(id, types, pageParam),
    getNextPageParam: (last) => last.next_cursor,
  });

/** The first contacts matching a search, for a picker. */
export const useContactSearch = (q: string, limit = 20) =>
  useQuery({ queryKey: keys.picker(q), queryFn: () => listContacts({ q: q || undefined, limit }), placeholderData: keepPreviousData });
