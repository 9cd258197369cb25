// Landing pages: the query keys, the calls (on the generated client) and the hooks of the list, editor and statistics.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";
import { useCursorPages } from "../paging";

export type LandingPage = Schemas["PageOut"];
export type LandingPageSummary = Schemas["PageSummary"];
export type PageIn = Schemas["PageIn"];
export type PagePatch = Schemas["PagePatch"];
export type PageStats = Schemas["PageStats"];
export type PageTemplate = Schemas["PageTemplateOut"];

export const keys = {
  all: ["landing-pages"] as const,
  page: (id: number) => ["landing-page", id] as const,
  versions: (id: number) => ["landing-page-versions", id] as const,
  stats: (id: number, days: number) => ["landing-page-stats", id, days] as const,
  templates: (language: string) => ["landing-page-templates", language] as const,
};

const pagePath = (id: number) => ({ params: { path: { page_id: id } } });

export const listPages = (cursor: string | null) =>
  unwrap(api.GET("/api/pages", { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } }));
export const listTemplates = (language: "en" | "fr") => unwrap(api.GET("/api/pages/templates", { params: { query: { language } } }));
export const getPage = (id: number) => unwrap(api.GET("/api/pages/{page_id}", pagePath(id)));
export const createPage = (body: PageIn) => unwrap(api.POST("/api/pages", { body }));
export const updatePage = (id: number, body: PagePatch) => unwrap(api.PATCH("/api/pages/{page_id}", { ...pagePath(id), body }));
export const deletePage = (id: number) => unwrap(api.DELETE("/api/pages/{page_id}", pagePath(id)));
export const publishPage = (id: number) => unwrap(api.POST("/api/pages/{page_id}/publish", pagePath(id)));
export const unpublishPage = (id: number) => unwrap(api.POST("/api/pages/{page_id}/unpublish", pagePath(id)));
export const previewLink = (id: number) => unwrap(api.POST("/api/pages/{page_id}/preview", pagePath(id)));
export const listVersions = (id: number) => unwrap(api.GET("/api/pages/{page_id}/versions", pagePath(id)));
export const restoreVersion = (id: number, version: number) =>
  unwrap(api.POST("/api/pages/{page_id}/versions/{version}/restore", { params: { path: { page_id: id, version } } }));
export const pageStats = (id: number, days: number) =>
  unwrap(api.GET("/api/pages/{page_id}/stats", { params: { path: { page_id: id }, query: { days } } }));

export const usePages = () => useCursorPages(keys.all, (cursor) => listPages(cursor ?? null));
export const usePageTemplates = (language: "en" | "fr") =>
  useQuery({ queryKey: keys.templates(language), queryFn: () => listTemplates(language) });
/** One page. The editor owns it once loaded: the server's copy is not reloaded over it. */
export const usePage = (id: number) => useQuery({ queryKey: keys.page(id), queryFn: () => getPage(id), staleTime: Infinity });
export const usePageVersions = (id: number, enabled: boolean) =>
  useQuery({ queryKey: keys.versions(id), queryFn: () => listVersions(id), enabled });
export const usePageStats = (id: number, days: number, enabled: boolean) =>
  useQuery({ queryKey: keys.stats(id, days), queryFn: () => pageStats(id, days), enabled });

/** The forms a form block may place: the published ones (id and name). */
export interface FormChoice {
  id: number;
  name: string;
}
export const useFormChoices = () =>
  useQuery({
    queryKey: ["forms", "choices"],
    queryFn: async (): Promise<FormChoice[]> => {
      const page = await unwrap(api.GET("/api/forms", { params: { query: { limit: 500 } } }));
      return page.items.filter((f) => f.version !== null).map((f) => ({ id: f.id, name: f.name }));
    },
  });

/** Images of the asset library a page can be shared with (the newest 200). */
export const useImageChoices = () =>
  useQuery({
    queryKey: ["assets", "choices"],
    queryFn: async () => (await unwrap(api.GET("/api/assets", { params: { query: { limit: 200 } } }))).items,
  });
