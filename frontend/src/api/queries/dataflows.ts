// Data in and out on a schedule: import sources (SFTP or a server directory) with their runs, and
// scheduled segment exports. Passwords and keys are write-only: the server answers has_password.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";
import { useCursorPages } from "../paging";

export type Source = Schemas["SourceOut"];
export type SourceIn = Schemas["SourceIn"];
export type SourcePatch = Schemas["SourcePatch"];
export type Run = Schemas["ImportRunOut"];
export type RunFile = Schemas["ImportRunFile"];
export type ScheduledExport = Schemas["ExportOut"];
export type ExportIn = Schemas["ExportIn"];
export type ExportPatch = Schemas["ExportPatch"];
export type ConnectionTestIn = Schemas["ConnectionTestIn"];

export const keys = {
  sources: ["import-sources"] as const,
  runs: (sourceId: number) => ["import-sources", sourceId, "runs"] as const,
  exports: ["scheduled-exports"] as const,
};

const sourcePath = (id: number) => ({ params: { path: { source_id: id } } });
const exportPath = (id: number) => ({ params: { path: { export_id: id } } });

export const listSources = (cursor?: string) => unwrap(api.GET("/api/imports/sources", { params: { query: { cursor } } }));
export const createSource = (body: SourceIn) => unwrap(api.POST("/api/imports/sources", { body }));
export const updateSource = (id: number, body: SourcePatch) => unwrap(api.PATCH("/api/imports/sources/{source_id}", { ...sourcePath(id), body }));
export const deleteSource = (id: number) => unwrap(api.DELETE("/api/imports/sources/{source_id}", sourcePath(id)));
export const runSource = (id: number) => unwrap(api.POST("/api/imports/sources/{source_id}/run", sourcePath(id)));
export const testConnection = (body: ConnectionTestIn) => unwrap(api.POST("/api/imports/sources/test", { body }));
export const listRuns = (id: number, cursor?: string) =>
  unwrap(api.GET("/api/imports/sources/{source_id}/runs", { params: { path: { source_id: id }, query: { cursor } } }));

export const listExports = (cursor?: string) => unwrap(api.GET("/api/exports/scheduled", { params: { query: { cursor } } }));
export const createExport = (body: ExportIn) => unwrap(api.POST("/api/exports/scheduled", { body }));
export const updateExport = (id: number, body: ExportPatch) => unwrap(api.PATCH("/api/exports/scheduled/{export_id}", { ...exportPath(id), body }));
export const deleteExport = (id: number) => unwrap(api.DELETE("/api/exports/scheduled/{export_id}", exportPath(id)));
export const runExport = (id: number) => unwrap(api.POST("/api/exports/scheduled/{export_id}/run", exportPath(id)));

/** The address of a segment's CSV with these fields, for a plain download link. */
export const downloadUrl = (segmentId: number, fields: string[]) =>
  `/api/exports/segments/${segmentId}/csv?${fields.map((f) => `fields=${encodeURIComponent(f)}`).join("&")}`;

export const useSources = () => useCursorPages([...keys.sources], listSources, { refetchInterval: 5000 });
export const useExports = () => useCursorPages([...keys.exports], listExports, { refetchInterval: 5000 });
/** A source's runs, refreshed while the files' imports run. */
export const useRuns = (sourceId: number) => useCursorPages([...keys.runs(sourceId)], (cursor) => listRuns(sourceId, cursor), { refetchInterval: 2000 });
export const useSource = (id: number | null) =>
  useQuery({ queryKey: [...keys.sources, id], enabled: id !== null, queryFn: () => unwrap(api.GET("/api/imports/sources/{source_id}", sourcePath(id!))) });
