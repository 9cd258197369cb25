import { LineChart } from "@mantine/charts";
import { Table, Text, VisuallyHidden } from "@mantine/core";
import dayjs from "dayjs";
import { useTranslation } from "react-i18next";
import type { ProgramProgress } from "../../api/queries/programs";
import { formatKpi, kpiName, RATES } from "./kpi";

/** The KPI month by month (each point counts from the program's first day) against the target
 * line; the same figures as a table for screen readers. */
export function ProgressChart({ progress, testId }: { progress: ProgramProgress; testId: string }) {
  const { t } = useTranslation();
  const scale = RATES.has(progress.metric) ? 100 : 1;
  const data = progress.series.map((p) => ({
    month: dayjs(`${p.period}-01`).format("MMM YY"),
    value: p.value === null ? null : p.value * scale,
  }));
  if (!data.length) return <Text size="sm" c="dimmed" data-testid={`${testId}-empty`}>{t("plan.no_figures_yet")}</Text>;
  const label = t("plan.chart_label", { kpi: kpiName(t, progress.metric) });
  return (
    <>
      <div role="img" aria-label={label} data-testid={testId}>
        <LineChart
          h={160}
          data={data}
          dataKey="month"
          series={[{ name: "value", label: kpiName(t, progress.metric), color: "indigo.6" }]}
          referenceLines={
            progress.target !== null && progress.target !== undefined
              ? [{ y: progress.target * scale, label: t("plan.target"), color: "teal.8" }]
              : []
          }
          valueFormatter={(v) => formatKpi(progress.metric, v / scale)}
          connectNulls
          curveType="linear"
        />
      </div>
      <VisuallyHidden>
        <Table>
          <Table.Caption>{label}</Table.Caption>
          <Table.Tbody>
            {progress.series.map((p) => (
              <Table.Tr key={p.period}>
                <Table.Th scope="row">{p.period}</Table.Th>
                <Table.Td>{formatKpi(progress.metric, p.value)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </VisuallyHidden>
    </>
  );
}
