// Pieces the customer report pages share: a rate or "—" with its reason, a heat-map table cell,
// the "as of" line, and "Create a segment from this".
import { Button, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconUsersPlus } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { createSegment, keys as segmentKeys } from "../../api/queries/segments";
import { formatMoney, formatNumber, formatTime } from "../../components/format";

/** A share as a percentage, or "—" with a tooltip saying why there is none. */
export function Rate({ value, testId }: { value: number | null | undefined; testId?: string }) {
  const { t } = useTranslation();
  if (value === null || value === undefined) {
    return (
      <Tooltip label={t("reports.customers.no_rate")}>
        <span data-testid={testId} tabIndex={0}>—</span>
      </Tooltip>
    );
  }
  return <span data-testid={testId}>{formatNumber(value, { style: "percent", maximumFractionDigits: 1 })}</span>;
}

/** Money, or "—" with a tooltip (a CAC with no new customer, an LTV not reached yet). */
export function Money({ value, reason, testId }: { value: number | null | undefined; reason: string; testId?: string }) {
  if (value === null || value === undefined) {
    return (
      <Tooltip label={reason}>
        <span data-testid={testId} tabIndex={0}>—</span>
      </Tooltip>
    );
  }
  return <span data-testid={testId}>{formatMoney(value)}</span>;
}

/** A heat-map cell: the darker, the larger `value` is against `max` (the figure stays written). */
export function heat(value: number, max: number): React.CSSProperties {
  const strength = max > 0 ? value / max : 0;
  return {
    background: `rgba(34, 139, 230, ${(0.08 + 0.6 * strength).toFixed(2)})`,
    color: strength > 0.6 ? "white" : undefined,
    textAlign: "right",
  };
}

export function AsOf({ at }: { at: string | undefined }) {
  const { t } = useTranslation();
  if (!at) return null;
  return <Text size="xs" c="dimmed" data-testid="report-as-of">{t("reports.customers.as_of", { time: formatTime(at) })}</Text>;
}

/** Creates a dynamic segment from a rule and opens it. */
export function SegmentFromThis({ name, rule, testId }: { name: string; rule: string; testId: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const create = async () => {
    try {
      const made = await createSegment({ name, kind: "dynamic", rule, description: "" });
      void queries.invalidateQueries({ queryKey: segmentKeys.all });
      navigate(`/segments/${made.id}`);
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    }
  };
  return (
    <Button size="compact-xs" variant="subtle" leftSection={<IconUsersPlus size={14} />} onClick={() => void create()} data-testid={testId}>
      {t("reports.customers.segment_from_this")}
    </Button>
  );
}
