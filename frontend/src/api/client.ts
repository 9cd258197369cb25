// The one way into the API: a client typed from the backend's OpenAPI document (schema.d.ts is generated).
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Contact = Schemas["ContactOut"];
export type ContactPatch = Schemas["ContactPatch"];
export type ContactIn = Schemas["ContactIn"];
export type Me = Schemas["MeOut"];
export type Job = Schemas["JobOut"];
export type Interaction = Schemas["InteractionOut"];
export type CustomField = Schemas["CustomFieldOut"];
export type ImportPreview = Schemas["ImportPreview"];
export type Segment = Schemas["SegmentOut"];
export type Builder = Schemas["Builder"];
export type BuilderGroup = Schemas["Group"];
export type BuilderCondition = Schemas["Condition"];
export type RuleField = Schemas["FieldOut"];
export type Preset = Schemas["Preset"];
export type Email = Schemas["EmailOut"];
export type Template = Schemas["TemplateOut"];
export type LifecycleStage = Contact["lifecycle_stage"] & Schemas["ContactIn"]["lifecycle_stage"];

export const api = createClient<paths>({ baseUrl: "" });

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

// Writes made with the session cookie carry the CSRF token the login gave us.
api.use({
  onRequest({ request }) {
    if (csrfToken && request.method !== "GET") request.headers.set("x-csrf-token", csrfToken);
    return request;
  },
});

/** The error every API route answers with: a message a marketer can act on, and the field it concerns. */
export class ApiError extends Error {
  constructor(
    message: string,
    public status: number,
    public field: string | null = null,
    public details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Await an API call: its data, or an ApiError carrying the server's message and field. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { message?: string; field?: string | null } & Record<string, unknown> };
  const { message, field, ...details } = body.error ?? {};
  throw new ApiError(message ?? response.statusText ?? "Request failed", response.status, field ?? null, details);
}

/** Request options that send a multipart form as the browser builds it (file uploads). */
export function multipart(values: Record<string, string | Blob | undefined>) {
  const form = new FormData();
  for (const [key, value] of Object.entries(values)) if (value !== undefined) form.append(key, value);
  return { body: form as never, bodySerializer: (body: unknown) => body as FormData };
}
