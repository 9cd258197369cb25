// The Home: the overview report and the tiles pinned onto it (query keys, calls and hooks).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { reportQuery, type ReportFilters } from "../../pages/reports/filters";
import { api, unwrap, type Schemas } from "../client";

export type Overview = Schemas["OverviewReport"];
export type OverviewFigure = Schemas["Figure"];
export type AttentionItem = Schemas["AttentionItem"];
export type RecentItem = Schemas["RecentItem"];
export type Tile = Schemas["TileOut"];
export type TileIn = Schemas["TileIn"];

export const keys = {
  overview: (filters: ReportFilters) => ["reports", "overview", filters] as const,
  tiles: ["dashboards"] as const,
  tile: (tile: Tile) => ["reports", "tile", tile.report, tile.params] as const,
};

// The report answers CSV too (format=csv); asked without it, it answers JSON.
export const overview = (filters: ReportFilters) =>
  unwrap(api.GET("/api/reports/overview", { params: { query: reportQuery(filters) } })) as Promise<Overview>;

export const useOverview = (filters: ReportFilters) =>
  useQuery({ queryKey: keys.overview(filters), queryFn: () => overview(filters), placeholderData: keepPreviousData });

export const listTiles = () => unwrap(api.GET("/api/dashboards"));
export const pinTile = (body: TileIn) => unwrap(api.POST("/api/dashboards", { body }));
export const removeTile = (tileId: number) =>
  unwrap(api.DELETE("/api/dashboards/{tile_id}", { params: { path: { tile_id: tileId } } }));
export const orderTiles = (ids: number[]) => unwrap(api.PUT("/api/dashboards/order", { body: { ids } }));

export const useTiles = () => useQuery({ queryKey: keys.tiles, queryFn: listTiles });

/** A pinned report, asked again with its saved query. The report's path is one of the allowed
 * report endpoints (the server checks it when the tile is pinned); its answer is read generically. */
export const tileReport = (tile: Tile) =>
  unwrap(
    api.GET(tile.report as "/api/reports/overview", {
      params: { query: tile.params as Record<string, never> },
    }),
  ) as Promise<unknown>;

export const useTileReport = (tile: Tile) => useQuery({ queryKey: keys.tile(tile), queryFn: () => tileReport(tile) });

export function useTileChanges() {
  const client = useQueryClient();
  const done = () => client.invalidateQueries({ queryKey: keys.tiles });
  return {
    pin: useMutation({ mutationFn: pinTile, onSuccess: done }),
    remove: useMutation({ mutationFn: removeTile, onSuccess: done }),
    order: useMutation({
      mutationFn: orderTiles,
      onSuccess: (page) => client.setQueryData(keys.tiles, page),
    }),
  };
}
