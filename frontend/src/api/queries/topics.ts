// Subscription topics: the query keys, the calls and the hooks of the settings tab and the email editor.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";

export type Topic = Schemas["TopicOut"];
export type TopicIn = Schemas["TopicIn"];

export const keys = { all: ["topics"] as const };

export const listTopics = () => unwrap(api.GET("/api/topics"));
export const createTopic = (body: TopicIn) => unwrap(api.POST("/api/topics", { body }));
export const deleteTopic = (key: string) => unwrap(api.DELETE("/api/topics/{key}", { params: { path: { key } } }));

export const useTopics = () => useQuery({ queryKey: keys.all, queryFn: listTopics });
