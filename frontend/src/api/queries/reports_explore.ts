// Free exploration: questions answered, the contacts behind a row as a segment, saved questions.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";

export type ExploreQuestion = Schemas["ExploreQuestion"];
export type ExploreAnswer = Schemas["ExploreAnswer"];
export type ExploreMeasure = Schemas["ExploreMeasure"];
export type Exploration = Schemas["ExplorationOut"];
export type ExplorationIn = Schemas["ExplorationIn"];
export type RowValues = Schemas["CellIn"]["values"];

export const keys = {
  all: ["explorations"] as const,
  list: ["explorations", "list"] as const,
};

export const explore = (body: ExploreQuestion) => unwrap(api.POST("/api/explore", { body }));
export const countBehind = (question: ExploreQuestion, values: RowValues) =>
  unwrap(api.POST("/api/explore/count", { body: { question, values } }));
export const segmentFromRow = (question: ExploreQuestion, values: RowValues, name: string) =>
  unwrap(api.POST("/api/explore/segment", { body: { question, values, name } }));
export const listExplorations = () => unwrap(api.GET("/api/explorations", { params: { query: { limit: 200 } } }));
export const saveExploration = (body: ExplorationIn) => unwrap(api.POST("/api/explorations", { body }));
export const deleteExploration = (id: number) =>
  unwrap(api.DELETE("/api/explorations/{exploration_id}", { params: { path: { exploration_id: id } } }));

export const useExplorations = () => useQuery({ queryKey: keys.list, queryFn: listExplorations });
