// The System screen (administrators): the product's state, refreshed while the screen is open, and
// running a failed job again.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";

export type SystemStatus = Schemas["SystemStatus"];

export const keys = { status: ["system"] as const };

export const getSystemStatus = () => unwrap(api.GET("/api/system"));
export const retryJob = (jobId: string) =>
  unwrap(api.POST("/api/system/jobs/{job_id}/retry", { params: { path: { job_id: jobId } } }));

export const useSystemStatus = () =>
  useQuery({ queryKey: keys.status, queryFn: getSystemStatus, refetchInterval: 10_000 });
