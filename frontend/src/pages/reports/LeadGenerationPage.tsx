import { AreaChart, BarChart } from "@mantine/charts";
import { Anchor, Card, Group, Loader, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useLeadGenerationReport, type LeadGenerationReport } from "../../api/queries/originReports";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDate, formatNumber } from "../../components/format";
import { CsvButton } from "./CsvButton";
import { FilterPane } from "./FilterPane";
import { ReportHeader } from "./ReportHeader";
import { useReportFilters } from "./filters";

const ORIGINS = ["inbound", "outbound", "sales"] as const;
const COLORS = { inbound: "teal.7", outbound: "indigo.6", sales: "orange.7" };

type Named = LeadGenerationReport["forms"][number];

/** One list of where leads came from (forms, pages, journeys, campaigns), each row opening its object. */
function NamedCounts({ title, rows, link, testId }: { title: string; rows: Named[]; link: (id: number) => string; testId: string }) {
  const { t } = useTranslation();
  return (
    <Card withBorder data-testid={testId}>
      <Text fw={600} mb="xs">{title}</Text>
      {rows.length === 0 ? <Text size="sm" c="dimmed">{t("reports.leads.none")}</Text> : (
        <Table fz="sm">
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.id ?? "none"}>
                <Table.Td>{r.id ? <Anchor component={Link} to={link(r.id)}>{r.name ?? `#${r.id}`}</Anchor> : t("reports.leads.unnamed")}</Table.Td>
                <Table.Td ta="right">{formatNumber(r.count)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

/** Leads of the period by inbound, outbound and sales activity, source and stage, day by day. */
export function LeadGenerationPage() {
  const { t } = useTranslation();
  const { filters } = useReportFilters();
  const report = useLeadGenerationReport(filters);
  const data = report.data;
  const series = ORIGINS.map((o) => ({ name: o, label: t(`reports.roi.origins.${o}`), color: COLORS[o] }));
  return (
    <Stack data-testid="lead-generation-report">
      <ReportHeader page="lead-generation">
        <CsvButton path="/api/reports/lead-generation" filters={filters} testId="lead-generation-csv" />
      </ReportHeader>
      <FilterPane show={["journeys", "segment"]} />
      {report.error && <ErrorAlert error={report.error} testId="lead-generation-error" />}
      {!data ? <Loader /> : (
        <>
          <Group gap="xl" data-testid="lead-generation-totals">
            <Stack gap={0}>
              <Text size="sm" c="dimmed">{t("reports.leads.total")}</Text>
              <Text size="xl" fw={700} data-testid="lead-generation-total">{formatNumber(data.totals.total)}</Text>
            </Stack>
            {ORIGINS.map((o) => (
              <Stack gap={0} key={o}>
                <Text size="sm" c="dimmed">{t(`reports.roi.origins.${o}`)}</Text>
                <Text size="xl" fw={700} data-testid={`lead-generation-${o}`}>{formatNumber(data.totals[o])}</Text>
              </Stack>
            ))}
          </Group>
          <AreaChart
            h={240}
            dataKey="day"
            type="stacked"
            withLegend
            data={data.by_day.map((d) => ({ day: formatDate(d.day), inbound: d.inbound, outbound: d.outbound, sales: d.sales }))}
            series={series}
            data-testid="lead-generation-chart"
          />
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <NamedCounts title={t("reports.leads.forms")} rows={data.forms} link={(id) => `/forms/${id}`} testId="lead-generation-forms" />
            <NamedCounts title={t("reports.leads.pages")} rows={data.pages} link={(id) => `/pages/${id}`} testId="lead-generation-pages" />
            <NamedCounts title={t("reports.leads.journeys")} rows={data.journeys} link={(id) => `/journeys/${id}`} testId="lead-generation-journeys" />
            <NamedCounts title={t("reports.leads.campaigns")} rows={data.campaigns} link={(id) => `/emails/campaigns/${id}`} testId="lead-generation-campaigns" />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Card withBorder data-testid="lead-generation-sources">
              <Title order={5} mb="xs">{t("reports.leads.sources")}</Title>
              <Table fz="sm">
                <Table.Tbody>
                  {data.sources.map((s) => (
                    <Table.Tr key={s.source ?? "none"}>
                      <Table.Td>{s.source ?? t("reports.leads.no_source")}</Table.Td>
                      <Table.Td ta="right">{formatNumber(s.count)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Card>
            <Card withBorder data-testid="lead-generation-stages">
              <Title order={5} mb="xs">{t("reports.leads.stages")}</Title>
              <BarChart
                h={Math.max(160, data.stages.length * 32)}
                orientation="vertical"
                dataKey="stage"
                type="stacked"
                yAxisProps={{ width: 160 }}
                data={data.stages.map((s) => ({ stage: t(`stages.${s.stage}`), inbound: s.inbound, outbound: s.outbound, sales: s.sales }))}
                series={series}
              />
            </Card>
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}
