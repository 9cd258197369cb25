// Custom fields: the query keys, the calls and the hooks of the settings tab and the contact form.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";

export type CustomField = Schemas["CustomFieldOut"];
export type CustomFieldIn = Schemas["CustomFieldIn"];

export const keys = { all: ["custom-fields"] as const };

export const listFields = () => unwrap(api.GET("/api/custom-fields"));
export const createField = (body: CustomFieldIn) => unwrap(api.POST("/api/custom-fields", { body }));
export const deleteField = (id: number) => unwrap(api.DELETE("/api/custom-fields/{field_id}", { params: { path: { field_id: id } } }));

export const useCustomFields = () => useQuery({ queryKey: keys.all, queryFn: listFields });
