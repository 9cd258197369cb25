import { Alert, Box, Group, Loader, SegmentedControl, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { usePlan } from "../../api/queries/reports_journeys";
import { formatTime } from "../../components/format";
import { CsvButton } from "./CsvButton";
import { FilterPane } from "./FilterPane";
import { COLORS, PlanGantt, type Zoom } from "./PlanGantt";
import { ReportHeader } from "./ReportHeader";
import { useReportFilters } from "./filters";

const ZOOMS: Zoom[] = ["week", "month", "quarter", "year"];

function Legend() {
  const { t } = useTranslation();
  const swatch = (color: string, round = false) => (
    <Box aria-hidden style={{ width: round ? 10 : 18, height: 10, borderRadius: round ? "50%" : 3, background: round ? "white" : color, border: round ? "2px solid var(--mantine-color-dark-6)" : undefined }} />
  );
  return (
    <Group gap="lg" data-testid="plan-legend" aria-label={t("reports.plan.legend")} role="list">
      {(["journey", "campaign", "event"] as const).map((kind) => (
        <Group key={kind} gap={6} role="listitem">{swatch(COLORS[kind])}<Text size="sm">{t(`reports.plan.legend_${kind}`)}</Text></Group>
      ))}
      <Group gap={6} role="listitem">{swatch("", true)}<Text size="sm">{t("reports.plan.legend_email")}</Text></Group>
      <Group gap={6} role="listitem">
        <Box aria-hidden style={{ width: 0, height: 14, borderLeft: "2px dashed var(--mantine-color-red-6)" }} />
        <Text size="sm">{t("reports.plan.legend_today")}</Text>
      </Group>
    </Group>
  );
}

/** /reports/plan: journeys, campaigns and events of the period on one timeline. */
export function PlanPage() {
  const { t } = useTranslation();
  const { filters } = useReportFilters();
  const [zoom, setZoom] = useState<Zoom>("month");
  const plan = usePlan(filters);
  const rows = plan.data?.rows ?? [];
  return (
    <Stack>
      <ReportHeader page="plan">
        <CsvButton path="/api/reports/plan" filters={filters} testId="plan-csv" />
      </ReportHeader>
      <FilterPane show={["journeys", "emails"]} />
      <Group justify="space-between">
        <SegmentedControl
          value={zoom}
          onChange={(value) => setZoom(value as Zoom)}
          data={ZOOMS.map((z) => ({ value: z, label: t(`reports.plan.zoom.${z}`) }))}
          aria-label={t("reports.plan.zoom_label")}
          data-testid="plan-zoom"
        />
        {plan.data && <Text size="xs" c="dimmed" data-testid="plan-as-of">{t("reports.as_of", { time: formatTime(plan.data.as_of) })}</Text>}
      </Group>
      <Legend />
      {plan.isPending ? <Loader /> : plan.isError ? (
        <Alert color="red">{plan.error.message}</Alert>
      ) : rows.length === 0 ? (
        <Text c="dimmed" data-testid="plan-empty">{t("reports.plan.empty")}</Text>
      ) : (
        <PlanGantt rows={rows} from={filters.from} to={filters.to} zoom={zoom} now={Date.now()} />
      )}
    </Stack>
  );
}
