import { Badge } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

type Props = {
  status: string;
  colors: Record<string, string>; // gray for a status not listed
  labels: string; // the translation keys' prefix: `${labels}.${status}`
  testId?: string;
  children?: ReactNode; // a label of its own instead of the status' name
};

/** A status as a coloured badge that tests can read (data-status). */
export function StatusBadge({ status, colors, labels, testId, children }: Props) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={colors[status] ?? "gray"} data-testid={testId} data-status={status}>
      {children ?? t(`${labels}.${status}`, { defaultValue: status })}
    </Badge>
  );
}
