// RFM: a contact's scores and group with what they mean, and the recompute job.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";

export type ContactRfm = Schemas["RfmContactOut"];
export type RfmRange = Schemas["RfmRange"];

export const keys = {
  overview: ["rfm"] as const,
  // Under the contact's key: a change of the contact refreshes its RFM.
  contact: (contactId: number) => ["contact", contactId, "rfm"] as const,
};

export const contactRfm = (contactId: number) =>
  unwrap(api.GET("/api/rfm/contacts/{contact_id}", { params: { path: { contact_id: contactId } } }));

export const recomputeRfm = () => unwrap(api.POST("/api/rfm/recompute"));

/** A contact's RFM scores (as of the last recompute), its purchases today and the ranges of each score. */
export const useContactRfm = (contactId: number) =>
  useQuery({ queryKey: keys.contact(contactId), queryFn: () => contactRfm(contactId) });
