import { Badge } from "@mantine/core";
import { useTranslation } from "react-i18next";

const COLORS: Record<string, string> = { draft: "gray", published: "green", cancelled: "red", finished: "blue" };
const REGISTRATION_COLORS: Record<string, string> = { confirmed: "green", waitlisted: "orange", cancelled: "gray" };

export function EventStatusBadge({ status, testId }: { status: string; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={COLORS[status] ?? "gray"} data-testid={testId} data-status={status}>
      {t(`events.statuses.${status}`, { defaultValue: status })}
    </Badge>
  );
}

export function RegistrationStatusBadge({ status, position, testId }: { status: string; position?: number | null; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={REGISTRATION_COLORS[status] ?? "gray"} data-testid={testId} data-status={status}>
      {status === "waitlisted" && position
        ? t("events.registrations.waitlisted_at", { position })
        : t(`events.registrations.statuses.${status}`, { defaultValue: status })}
    </Badge>
  );
}
