import { BarChart } from "@mantine/charts";
import { Loader, Stack, Table, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { usePipelineReport } from "../../api/queries/originReports";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatNumber } from "../../components/format";
import { CsvButton } from "./CsvButton";
import { FilterPane } from "./FilterPane";
import { ReportHeader } from "./ReportHeader";
import { useReportFilters } from "./filters";

const ORIGINS = ["inbound", "outbound", "sales"] as const;
const COLORS = { inbound: "teal.7", outbound: "indigo.6", sales: "orange.7" };

/** The leads of the period by their stage today, split inbound, outbound and sales. */
export function PipelineReportPage() {
  const { t } = useTranslation();
  const { filters } = useReportFilters();
  const report = usePipelineReport(filters);
  const data = report.data;
  return (
    <Stack data-testid="pipeline-report">
      <ReportHeader page="pipeline">
        <CsvButton path="/api/reports/pipeline" filters={filters} testId="pipeline-report-csv" />
      </ReportHeader>
      <FilterPane show={["segment"]} />
      {report.error && <ErrorAlert error={report.error} testId="pipeline-report-error" />}
      {!data ? <Loader /> : (
        <>
          <Text size="sm" c="dimmed">{t("reports.pipeline_report.total", { count: data.total, formatted: formatNumber(data.total) })}</Text>
          <BarChart
            h={320}
            dataKey="stage"
            type="stacked"
            withLegend
            data={data.stages.map((s) => ({ stage: t(`stages.${s.stage}`), inbound: s.inbound, outbound: s.outbound, sales: s.sales }))}
            series={ORIGINS.map((o) => ({ name: o, label: t(`reports.roi.origins.${o}`), color: COLORS[o] }))}
            data-testid="pipeline-report-chart"
          />
          <Table data-testid="pipeline-report-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("fields.lifecycle_stage")}</Table.Th>
                {ORIGINS.map((o) => <Table.Th key={o} ta="right">{t(`reports.roi.origins.${o}`)}</Table.Th>)}
                <Table.Th ta="right">{t("reports.leads.total")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.stages.map((s) => (
                <Table.Tr key={s.stage} data-testid={`pipeline-report-${s.stage}`}>
                  <Table.Td>{t(`stages.${s.stage}`)}</Table.Td>
                  {ORIGINS.map((o) => <Table.Td key={o} ta="right">{formatNumber(s[o] ?? 0)}</Table.Td>)}
                  <Table.Td ta="right">{formatNumber(s.count)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Stack>
  );
}
