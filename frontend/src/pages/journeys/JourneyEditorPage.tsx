import { Center, Loader } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import { useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { JourneyEditor } from "./JourneyEditor";

export function journeyQuery(journeyId: number) {
  return {
    queryKey: ["journey", journeyId],
    // The canvas owns the draft once loaded: the server's copy is not reloaded over it.
    staleTime: Infinity,
    queryFn: () => unwrap(api.GET("/api/journeys/{journey_id}", { params: { path: { journey_id: journeyId } } })),
  };
}

export function JourneyEditorPage() {
  const journeyId = Number(useParams().id);
  const journey = useQuery(journeyQuery(journeyId));
  if (journey.isLoading) return <Center h={300}><Loader /></Center>;
  if (!journey.data) return <ErrorAlert error={journey.error} />;
  return (
    <ReactFlowProvider>
      <JourneyEditor key={journeyId} initial={journey.data} />
    </ReactFlowProvider>
  );
}
