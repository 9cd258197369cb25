// Emails: the query keys, the calls (on the generated client) and the hooks of the email list and editor.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";

export type EmailIn = Schemas["EmailIn"];
export type EmailPatch = Schemas["EmailPatch"];
export type EmailPreviewIn = Schemas["emails_schemas_PreviewIn"];
export type TestSendIn = Schemas["TestSendIn"];

export const keys = {
  // The journey editor reads ["emails"] too (the email step's list).
  all: ["emails"] as const,
  email: (id: number) => ["email", id] as const,
  versions: (id: number) => ["email-versions", id] as const,
  preview: (id: number, contactId: number | null, version: number | undefined, subject: string | undefined) =>
    ["email-preview", id, contactId, version, subject] as const,
};

const emailPath = (id: number) => ({ params: { path: { email_id: id } } });

export const listEmails = () => unwrap(api.GET("/api/emails"));
export const getEmail = (id: number) => unwrap(api.GET("/api/emails/{email_id}", emailPath(id)));
export const createEmail = (body: EmailIn) => unwrap(api.POST("/api/emails", { body }));
export const updateEmail = (id: number, body: EmailPatch) => unwrap(api.PATCH("/api/emails/{email_id}", { ...emailPath(id), body }));
export const previewEmail = (id: number, body: EmailPreviewIn) => unwrap(api.POST("/api/emails/{email_id}/preview", { ...emailPath(id), body }));
export const listVersions = (id: number) => unwrap(api.GET("/api/emails/{email_id}/versions", emailPath(id)));
export const restoreVersion = (id: number, version: number) =>
  unwrap(api.POST("/api/emails/{email_id}/versions/{version}/restore", { params: { path: { email_id: id, version } } }));
export const testSend = (id: number, body: TestSendIn) => unwrap(api.POST("/api/emails/{email_id}/test-send", { ...emailPath(id), body }));

// ---- hooks ------------------------------------------------------------------------------------

/** Every email that is not archived (a whole list: see "Lists and paging" in the README). */
export const useEmails = () => useQuery({ queryKey: keys.all, queryFn: listEmails });

/** One email. The editor owns it once loaded: the server's copy is not reloaded over it. */
export const useEmail = (id: number) => useQuery({ queryKey: keys.email(id), queryFn: () => getEmail(id), staleTime: Infinity });

export const useVersions = (id: number, enabled: boolean) =>
  useQuery({ queryKey: keys.versions(id), queryFn: () => listVersions(id), enabled });

/** The email as a contact would get it (merge fields filled); recomputed when the email is saved. */
export const useEmailPreview = (id: number, contactId: number | null, version: number | undefined, subject: string | undefined, enabled: boolean) =>
  useQuery({ queryKey: keys.preview(id, contactId, version, subject), queryFn: () => previewEmail(id, { contact_id: contactId }), enabled });
