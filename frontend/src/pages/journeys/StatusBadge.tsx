import { Badge } from "@mantine/core";
import { useTranslation } from "react-i18next";

const COLORS: Record<string, string> = { draft: "gray", published: "green", paused: "yellow", stopped: "red", finished: "blue" };

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={COLORS[status] ?? "gray"} data-testid={testId} data-status={status}>
      {t(`journeys.statuses.${status}`, { defaultValue: status })}
    </Badge>
  );
}
