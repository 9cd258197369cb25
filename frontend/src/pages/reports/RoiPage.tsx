import { BarChart } from "@mantine/charts";
import { Anchor, Card, Loader, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useRoiReport } from "../../api/queries/originReports";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDate, formatMoney, formatNumber } from "../../components/format";
import { CsvButton } from "./CsvButton";
import { FilterPane } from "./FilterPane";
import { ReportHeader } from "./ReportHeader";
import { useReportFilters } from "./filters";

const money = (v: number | null | undefined) => (v == null ? "—" : formatMoney(v));

/** Opportunities of the period grouped by their lead's origin: sales, inbound, outbound. */
export function RoiPage() {
  const { t } = useTranslation();
  const { filters } = useReportFilters();
  const report = useRoiReport(filters);
  const data = report.data;
  return (
    <Stack data-testid="roi-report">
      <ReportHeader page="roi">
        <CsvButton path="/api/reports/roi" filters={filters} testId="roi-csv" />
      </ReportHeader>
      <FilterPane show={["journeys", "segment"]} />
      {report.error && <ErrorAlert error={report.error} testId="roi-error" />}
      {!data ? <Loader /> : (
        <>
          <SimpleGrid cols={{ base: 1, md: 3 }}>
            {data.groups.map((g) => (
              <Card key={g.origin} withBorder data-testid={`roi-group-${g.origin}`}>
                <Text fw={600}>{t(`reports.roi.origins.${g.origin}`)}</Text>
                <Text size="xs" c="dimmed">{t(`reports.roi.origin_hints.${g.origin}`)}</Text>
                <Text size="xl" fw={700} mt="xs" data-testid={`roi-${g.origin}-count`}>
                  {t("reports.roi.opportunities", { count: g.count, formatted: formatNumber(g.count) })}
                </Text>
                <Table mt="xs" fz="sm" withRowBorders={false}>
                  <Table.Tbody>
                    <Table.Tr><Table.Td>{t("opportunities.fields.budget")}</Table.Td><Table.Td ta="right" data-testid={`roi-${g.origin}-budget`}>{money(g.budget)}</Table.Td></Table.Tr>
                    <Table.Tr><Table.Td>{t("opportunities.fields.estimated_revenue")}</Table.Td><Table.Td ta="right" data-testid={`roi-${g.origin}-estimated`}>{money(g.estimated_revenue)}</Table.Td></Table.Tr>
                    <Table.Tr><Table.Td>{t("opportunities.fields.actual_revenue")}</Table.Td><Table.Td ta="right" data-testid={`roi-${g.origin}-actual`}>{money(g.actual_revenue)}</Table.Td></Table.Tr>
                    <Table.Tr><Table.Td>{t("reports.roi.marketing_cost")}</Table.Td><Table.Td ta="right" data-testid={`roi-${g.origin}-cost`}>{g.marketing_cost == null ? t("reports.roi.cost_unknown") : money(g.marketing_cost)}</Table.Td></Table.Tr>
                    {g.roi != null && (
                      <Table.Tr><Table.Td>{t("reports.roi.roi")}</Table.Td><Table.Td ta="right">{formatNumber(g.roi, { style: "percent", maximumFractionDigits: 1 })}</Table.Td></Table.Tr>
                    )}
                  </Table.Tbody>
                </Table>
                <Anchor component={Link} size="sm" to={`/opportunities?origin_kind=${g.origin}`} data-testid={`roi-${g.origin}-rows`}>
                  {t("reports.roi.see_opportunities")}
                </Anchor>
              </Card>
            ))}
          </SimpleGrid>
          <BarChart
            h={260}
            dataKey="origin"
            withLegend
            valueFormatter={(v) => formatMoney(v)}
            data={data.groups.map((g) => ({
              origin: t(`reports.roi.origins.${g.origin}`),
              budget: g.budget,
              estimated: g.estimated_revenue,
              actual: g.actual_revenue,
            }))}
            series={[
              { name: "budget", label: t("opportunities.fields.budget"), color: "gray.6" },
              { name: "estimated", label: t("opportunities.fields.estimated_revenue"), color: "indigo.6" },
              { name: "actual", label: t("opportunities.fields.actual_revenue"), color: "teal.7" },
            ]}
            data-testid="roi-chart"
          />
          <Card withBorder data-testid="roi-marketing">
            <Table fz="sm" withRowBorders={false}>
              <Table.Tbody>
                <Table.Tr><Table.Td>{t("reports.roi.event_costs")}</Table.Td><Table.Td ta="right">{money(data.marketing_cost - data.spend)}</Table.Td></Table.Tr>
                <Table.Tr><Table.Td>{t("reports.roi.spend")}</Table.Td><Table.Td ta="right" data-testid="roi-spend">{money(data.spend)}</Table.Td></Table.Tr>
                <Table.Tr><Table.Td fw={600}>{t("reports.roi.marketing_cost")}</Table.Td><Table.Td ta="right" fw={600} data-testid="roi-marketing-cost">{money(data.marketing_cost)}</Table.Td></Table.Tr>
                <Table.Tr>
                  <Table.Td>{t("reports.roi.marketing_roi")}</Table.Td>
                  <Table.Td ta="right" data-testid="roi-marketing-roi">
                    {data.marketing_roi == null ? "—" : formatNumber(data.marketing_roi, { style: "percent", maximumFractionDigits: 1 })}
                  </Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
            <Text size="xs" c="dimmed" mt="xs">{t("reports.roi.cost_note")}</Text>
          </Card>
          <Title order={4}>{t("reports.roi.outbound_title")}</Title>
          {data.outbound.length === 0 ? (
            <Text size="sm" c="dimmed" data-testid="roi-outbound-empty">{t("reports.roi.outbound_empty")}</Text>
          ) : (
            <Table data-testid="roi-outbound">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("opportunities.fields.journey")}</Table.Th>
                  <Table.Th>{t("opportunities.fields.campaign")}</Table.Th>
                  <Table.Th ta="right">{t("reports.roi.count")}</Table.Th>
                  <Table.Th ta="right">{t("opportunities.fields.budget")}</Table.Th>
                  <Table.Th ta="right">{t("opportunities.fields.estimated_revenue")}</Table.Th>
                  <Table.Th ta="right">{t("opportunities.fields.actual_revenue")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.outbound.map((r) => (
                  <Table.Tr key={`${r.journey_id}-${r.campaign_id}`} data-testid="roi-outbound-row">
                    <Table.Td>
                      {r.journey_id ? (
                        <Anchor component={Link} to={`/opportunities?journey_id=${r.journey_id}`}>{r.journey_name ?? `#${r.journey_id}`}</Anchor>
                      ) : "—"}
                    </Table.Td>
                    <Table.Td>{r.campaign_id ? r.campaign_name ?? `#${r.campaign_id}` : "—"}</Table.Td>
                    <Table.Td ta="right">{formatNumber(r.count)}</Table.Td>
                    <Table.Td ta="right">{money(r.budget)}</Table.Td>
                    <Table.Td ta="right">{money(r.estimated_revenue)}</Table.Td>
                    <Table.Td ta="right">{money(r.actual_revenue)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {data.events.length > 0 && (
            <>
              <Title order={4}>{t("reports.roi.events_title")}</Title>
              <Table data-testid="roi-events">
                <Table.Tbody>
                  {data.events.map((e) => (
                    <Table.Tr key={e.event_id}>
                      <Table.Td><Anchor component={Link} to={`/events/${e.event_id}`}>{e.name}</Anchor></Table.Td>
                      <Table.Td>{formatDate(e.starts_at)}</Table.Td>
                      <Table.Td ta="right">{money(e.cost)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </>
          )}
        </>
      )}
    </Stack>
  );
}
