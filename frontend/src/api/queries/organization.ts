// The organization's settings: its name and the time zone new events start in.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";

export type Organization = Schemas["OrganizationOut"];
export type OrganizationPatch = Schemas["OrganizationPatch"];

export const keys = { organization: ["organization"] as const };

export const getOrganization = () => unwrap(api.GET("/api/organization"));
export const updateOrganization = (body: OrganizationPatch) => unwrap(api.PATCH("/api/organization", { body }));

export const useOrganization = () => useQuery({ queryKey: keys.organization, queryFn: getOrganization });
