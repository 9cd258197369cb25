// The asset library: the query keys, the calls (on the generated client) and the hooks of the library
// screen; `libraryImages` feeds the designers' image pickers (emails and landing pages alike).
import { useQuery } from "@tanstack/react-query";
import { api, multipart, unwrap, type Schemas } from "../client";
import { useCursorPages } from "../paging";

export type Asset = Schemas["AssetOut"];
export type AssetDetail = Schemas["AssetDetail"];
export type AssetPatch = Schemas["AssetPatch"];
export const ASSET_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;
export type AssetType = (typeof ASSET_TYPES)[number];
export const MAX_ASSET_MB = 5;

export const keys = {
  all: ["assets"] as const,
  list: (q: string, type: AssetType | null) => ["assets", { q, type }] as const,
  asset: (id: string) => ["assets", "one", id] as const,
};

const assetPath = (id: string) => ({ params: { path: { asset_id: id } } });
export const ASSETS_PAGE = 48;

export const listAssets = (q: string, type: AssetType | null, cursor?: string, limit = ASSETS_PAGE) =>
  unwrap(api.GET("/api/assets", {
    params: { query: { limit, ...(q ? { q } : {}), ...(type ? { content_type: type } : {}), ...(cursor ? { cursor } : {}) } },
  }));
export const getAsset = (id: string) => unwrap(api.GET("/api/assets/{asset_id}", assetPath(id)));
export const updateAsset = (id: string, body: AssetPatch) => unwrap(api.PATCH("/api/assets/{asset_id}", { ...assetPath(id), body }));
export const deleteAsset = (id: string) => unwrap(api.DELETE("/api/assets/{asset_id}", assetPath(id)));
export const uploadAsset = (file: File) => unwrap(api.POST("/api/assets", multipart({ file })));

/** The newest images of the library, as a designer's image picker lists them. */
export async function libraryImages(): Promise<{ src: string; name: string; width?: number; height?: number }[]> {
  const page = await listAssets("", null, undefined, 200);
  return page.items.map((a) => ({ src: a.url, name: a.title, width: a.width ?? undefined, height: a.height ?? undefined }));
}

// ---- hooks ------------------------------------------------------------------------------------

export const useAssets = (q: string, type: AssetType | null) =>
  useCursorPages(keys.list(q, type), (cursor) => listAssets(q, type, cursor));

/** One image with the places that show it (read when its deletion is asked). */
export const useAsset = (id: string | null) =>
  useQuery({ queryKey: keys.asset(id ?? ""), queryFn: () => getAsset(id ?? ""), enabled: !!id, staleTime: 0 });
