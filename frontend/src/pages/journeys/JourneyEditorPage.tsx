import { Center, Loader } from "@mantine/core";
import { ReactFlowProvider } from "@xyflow/react";
import { useParams } from "react-router";
import { useJourney } from "../../api/queries/journeys";
import { ErrorAlert } from "../../components/ErrorAlert";
import { JourneyEditor } from "./JourneyEditor";

export function JourneyEditorPage() {
  const journeyId = Number(useParams().id);
  const journey = useJourney(journeyId);
  if (journey.isLoading) return <Center h={300}><Loader /></Center>;
  if (!journey.data) return <ErrorAlert error={journey.error} />;
  return (
    <ReactFlowProvider>
      <JourneyEditor key={journeyId} initial={journey.data} />
    </ReactFlowProvider>
  );
}
