import { StatusBadge as Badge } from "../../components/StatusBadge";

const COLORS: Record<string, string> = { draft: "gray", published: "green", paused: "yellow", stopped: "red", finished: "blue" };

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return <Badge status={status} colors={COLORS} labels="journeys.statuses" testId={testId} />;
}
