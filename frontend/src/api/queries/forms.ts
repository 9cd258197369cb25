// Forms: the query keys, the calls (on the generated client) and the hooks of the form screens.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";
import { useCursorPages } from "../paging";

export type Form = Schemas["FormOut"];
export type FormIn = Schemas["FormIn"];
export type FormPatch = Schemas["FormPatch"];
export type FormField = Schemas["FormField"];
export type FormSettings = Schemas["FormSettings"];
export type FormStats = Schemas["FormStats"];
export type Submission = Schemas["SubmissionOut"];
export type SubmissionStatus = Submission["status"];

export const keys = {
  all: ["forms"] as const,
  form: (id: number) => ["form", id] as const,
  stats: (id: number) => ["form-stats", id] as const,
  // A form's submissions start with ["form-submissions", id]: accepting one reloads every page.
  submissions: (id: number) => ["form-submissions", id] as const,
  submissionList: (id: number, status: SubmissionStatus | null) => ["form-submissions", id, { status }] as const,
};

const formPath = (id: number) => ({ params: { path: { form_id: id } } });

export const listForms = (cursor?: string) => unwrap(api.GET("/api/forms", { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } }));
export const getForm = (id: number) => unwrap(api.GET("/api/forms/{form_id}", formPath(id)));
export const createForm = (body: FormIn) => unwrap(api.POST("/api/forms", { body }));
export const updateForm = (id: number, body: FormPatch) => unwrap(api.PATCH("/api/forms/{form_id}", { ...formPath(id), body }));
export const deleteForm = (id: number) => unwrap(api.DELETE("/api/forms/{form_id}", formPath(id)));
export const publishForm = (id: number) => unwrap(api.POST("/api/forms/{form_id}/publish", formPath(id)));
export const formSnippet = (id: number, language: "en" | "fr") =>
  unwrap(api.GET("/api/forms/{form_id}/snippet", { params: { path: { form_id: id }, query: { language } } }));
export const formStats = (id: number) => unwrap(api.GET("/api/forms/{form_id}/stats", formPath(id)));

export const listSubmissions = (id: number, status: SubmissionStatus | null, cursor?: string) =>
  unwrap(api.GET("/api/forms/{form_id}/submissions", {
    params: { path: { form_id: id }, query: { limit: 50, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } },
  }));
export const acceptSubmission = (id: number, submissionId: number) =>
  unwrap(api.POST("/api/forms/{form_id}/submissions/{submission_id}/accept", { params: { path: { form_id: id, submission_id: submissionId } } }));

export const prefillLink = (id: number, contactId: number) =>
  unwrap(api.GET("/api/forms/{form_id}/prefill-link", { params: { path: { form_id: id }, query: { contact_id: contactId } } }));

// ---- hooks ------------------------------------------------------------------------------------

/** The forms, a cursor page at a time (figures refreshed every half minute). */
export const useForms = () => useCursorPages(keys.all, listForms, { refetchInterval: 30_000 });

/** One form. The editor owns it once loaded: the server's copy is not reloaded over it. */
/** The forms a journey step may name (the first 50: a picker, not the list screen). */
export const useFormChoices = (enabled = true) =>
  useQuery({ queryKey: [...keys.all, "choices"], queryFn: () => listForms(), enabled, select: (page) => page.items });
/** The published form as plain HTML; refetched when a new version is published. */
export const useFormSnippet = (id: number, language: "en" | "fr", version: number | null) =>
  useQuery({ queryKey: ["form-snippet", id, language, version], queryFn: () => formSnippet(id, language), enabled: version != null });
export const useForm = (id: number) => useQuery({ queryKey: keys.form(id), queryFn: () => getForm(id), staleTime: Infinity });

export const useFormStats = (id: number, enabled: boolean) =>
  useQuery({ queryKey: keys.stats(id), queryFn: () => formStats(id), enabled, refetchInterval: 15_000 });

/** A form's submissions, latest first, a cursor page at a time (those held for review with `status: "held"`). */
export const useSubmissions = (id: number, status: SubmissionStatus | null) =>
  useCursorPages(keys.submissionList(id, status), (cursor) => listSubmissions(id, status, cursor), { refetchInterval: 15_000 });
