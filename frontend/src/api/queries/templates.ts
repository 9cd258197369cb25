// Templates (of emails and of journeys): the query keys, the calls and the hooks of the pickers and the settings tab.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";

export type TemplateIn = Schemas["TemplateIn"];
export type TemplatePatch = Schemas["TemplatePatch"];
export type TemplateKind = "email" | "journey";
/** Every shipped template exists in both: English and French twins. */
export type TemplateLanguage = "en" | "fr";

export const keys = {
  all: ["templates"] as const,
  list: (kind: TemplateKind, language: TemplateLanguage, archived = false) => ["templates", kind, language, archived] as const,
};

export const listTemplates = (kind: TemplateKind, language: TemplateLanguage, archived = false) =>
  unwrap(api.GET("/api/templates", { params: { query: { kind, language, ...(archived ? { archived } : {}) } } }));
export const createTemplate = (body: TemplateIn) => unwrap(api.POST("/api/templates", { body }));
export const updateTemplate = (id: number, body: TemplatePatch) =>
  unwrap(api.PATCH("/api/templates/{template_id}", { params: { path: { template_id: id } }, body }));

/** The templates of one kind in one language, archived ones apart. */
export const useTemplates = (
  kind: TemplateKind,
  language: TemplateLanguage,
  { archived = false, enabled = true } = {},
) => useQuery({ queryKey: keys.list(kind, language, archived), queryFn: () => listTemplates(kind, language, archived), enabled });
