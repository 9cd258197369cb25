// Users and API keys: the query keys, the calls and the hooks of the two admin settings tabs.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";

export type User = Schemas["UserOut"];
export type UserIn = Schemas["UserCreate"];
export type UserPatch = Schemas["UserPatch"];
export type ApiKey = Schemas["ApiKeyOut"];
export type ApiKeyIn = Schemas["ApiKeyCreate"];

export const keys = {
  users: ["users"] as const,
  apiKeys: ["api-keys"] as const,
};

export const listUsers = () => unwrap(api.GET("/api/users"));
export const createUser = (body: UserIn) => unwrap(api.POST("/api/users", { body }));
export const updateUser = (id: number, body: UserPatch) => unwrap(api.PATCH("/api/users/{user_id}", { params: { path: { user_id: id } }, body }));
export const deleteUser = (id: number) => unwrap(api.DELETE("/api/users/{user_id}", { params: { path: { user_id: id } } }));

export const listApiKeys = () => unwrap(api.GET("/api/api-keys"));
export const createApiKey = (body: ApiKeyIn) => unwrap(api.POST("/api/api-keys", { body }));
export const revokeApiKey = (id: number) => unwrap(api.DELETE("/api/api-keys/{key_id}", { params: { path: { key_id: id } } }));

export const useUsers = () => useQuery({ queryKey: keys.users, queryFn: listUsers });
export const useApiKeys = () => useQuery({ queryKey: keys.apiKeys, queryFn: listApiKeys });
