// Background jobs (imports, segment refreshes, recomputations): the query keys and the hook that
// follows one job until it ends.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Job } from "../client";

export const keys = { job: (id: string | null) => ["job", id] as const };

export const getJob = (id: string) => unwrap(api.GET("/api/jobs/{job_id}", { params: { path: { job_id: id } } }));

export const isFinished = (job: Job | undefined) => job?.status === "done" || job?.status === "failed";

/** A job, polled every `every` ms until it is done or failed; `onFinished` runs once it is. */
export const useJob = (id: string | null, { every = 500, onFinished }: { every?: number; onFinished?: (job: Job) => void } = {}) =>
  useQuery({
    queryKey: keys.job(id),
    enabled: id !== null,
    queryFn: () => getJob(id!),
    refetchInterval: (query) => {
      const job = query.state.data;
      if (job && isFinished(job)) {
        onFinished?.(job);
        return false;
      }
      return every;
    },
  });
