import { useTranslation } from "react-i18next";
import { StatusBadge } from "../../components/StatusBadge";

const COLORS: Record<string, string> = { draft: "gray", published: "green", cancelled: "red", finished: "blue" };
const REGISTRATION_COLORS: Record<string, string> = { confirmed: "green", waitlisted: "orange", cancelled: "gray" };

export function EventStatusBadge({ status, testId }: { status: string; testId?: string }) {
  return <StatusBadge status={status} colors={COLORS} labels="events.statuses" testId={testId} />;
}

export function RegistrationStatusBadge({ status, position, testId }: { status: string; position?: number | null; testId?: string }) {
  const { t } = useTranslation();
  return (
    <StatusBadge status={status} colors={REGISTRATION_COLORS} labels="events.registrations.statuses" testId={testId}>
      {status === "waitlisted" && position ? t("events.registrations.waitlisted_at", { position }) : undefined}
    </StatusBadge>
  );
}
