// The relationship plan: programs, their KPI's progress, the annual calendar, the shipped
// templates, the KPI catalogue, and the scenario briefs of journeys.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";

export type Program = Schemas["ProgramOut"];
export type ProgramIn = Schemas["ProgramIn"];
export type ProgramPatch = Schemas["ProgramPatch"];
export type ProgramProgress = Schemas["ProgramProgress"];
export type ProgramTemplate = Schemas["ProgramTemplate"];
export type KpiChoice = Schemas["KpiChoice"];
export type CalendarRow = Schemas["CalendarRow"];
export type BriefIn = Schemas["BriefIn"];
export type Brief = Schemas["BriefOut"];

export const keys = {
  all: ["programs"] as const,
  list: ["programs", "list"] as const,
  progress: (id: number) => ["programs", "progress", id] as const,
  calendar: (year: number) => ["programs", "calendar", year] as const,
  templates: (language: string) => ["programs", "templates", language] as const,
  kpis: ["programs", "kpis"] as const,
  owners: ["programs", "owners"] as const,
  choices: ["programs", "choices"] as const,
  brief: (journeyId: number) => ["programs", "brief", journeyId] as const,
};

const programPath = (id: number) => ({ params: { path: { program_id: id } } });

export const listPrograms = () => unwrap(api.GET("/api/programs", { params: { query: { limit: 500 } } }));
export const createProgram = (body: ProgramIn) => unwrap(api.POST("/api/programs", { body }));
export const updateProgram = (id: number, body: ProgramPatch) => unwrap(api.PATCH("/api/programs/{program_id}", { ...programPath(id), body }));
export const deleteProgram = (id: number) => unwrap(api.DELETE("/api/programs/{program_id}", programPath(id)));
export const programProgress = (id: number) => unwrap(api.GET("/api/programs/{program_id}/progress", programPath(id)));
export const programCalendar = (year: number) => unwrap(api.GET("/api/programs/calendar", { params: { query: { year } } }));
export const programTemplates = (language: "en" | "fr") => unwrap(api.GET("/api/programs/templates", { params: { query: { language } } }));
export const kpiCatalogue = () => unwrap(api.GET("/api/programs/kpis"));
export const programOwners = () => unwrap(api.GET("/api/programs/owners"));
export const getBrief = (journeyId: number) => unwrap(api.GET("/api/programs/briefs/{journey_id}", { params: { path: { journey_id: journeyId } } }));
export const putBrief = (journeyId: number, body: BriefIn) =>
  unwrap(api.PUT("/api/programs/briefs/{journey_id}", { params: { path: { journey_id: journeyId } }, body }));

/** What a program can hold: the journeys, campaigns and events there are (by name). */
export async function programChoices() {
  const [journeys, campaigns, events, segments] = await Promise.all([
    unwrap(api.GET("/api/journeys")),
    unwrap(api.GET("/api/campaigns", { params: { query: { limit: 500 } } })),
    unwrap(api.GET("/api/events", { params: { query: { limit: 500 } } })),
    unwrap(api.GET("/api/segments")),
  ]);
  return {
    journeys: journeys.map((j) => ({ value: String(j.id), label: j.name })),
    campaigns: campaigns.items.map((c) => ({ value: String(c.id), label: c.name })),
    events: events.items.map((e) => ({ value: String(e.id), label: e.name })),
    segments: segments.map((s) => ({ value: String(s.id), label: s.name })),
  };
}

export const usePrograms = () => useQuery({ queryKey: keys.list, queryFn: listPrograms });
export const useProgress = (id: number) => useQuery({ queryKey: keys.progress(id), queryFn: () => programProgress(id) });
export const useCalendar = (year: number) => useQuery({ queryKey: keys.calendar(year), queryFn: () => programCalendar(year) });
export const useProgramTemplates = (language: "en" | "fr") =>
  useQuery({ queryKey: keys.templates(language), queryFn: () => programTemplates(language) });
export const useKpiCatalogue = () => useQuery({ queryKey: keys.kpis, queryFn: kpiCatalogue });
export const useOwners = () => useQuery({ queryKey: keys.owners, queryFn: programOwners });
export const useProgramChoices = (enabled: boolean) => useQuery({ queryKey: keys.choices, queryFn: programChoices, enabled });
export const useBrief = (journeyId: number, enabled: boolean) =>
  useQuery({ queryKey: keys.brief(journeyId), queryFn: () => getBrief(journeyId), enabled });
