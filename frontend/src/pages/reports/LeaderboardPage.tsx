import { BarChart } from "@mantine/charts";
import { Alert, Anchor, Button, Group, Loader, Paper, SegmentedControl, Stack, Table, Text, Title } from "@mantine/core";
import { IconArrowLeft } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { useLeaderboard, type LeaderItem, type LeaderKind, type LeaderMetric } from "../../api/queries/reports_journeys";
import { formatMoney, formatNumber, formatTime } from "../../components/format";
import { useUrlParams } from "../../components/useUrlParams";
import { CsvButton } from "./CsvButton";
import { FilterPane } from "./FilterPane";
import { Rate } from "./JourneyReachPage";
import { ReportHeader } from "./ReportHeader";
import { useReportFilters } from "./filters";

const METRICS: LeaderMetric[] = ["unique_opens", "unique_clicks", "conversions", "submissions", "leads", "revenue"];

function shown(item: LeaderItem, metric: LeaderMetric): string {
  const value = item[metric];
  if (value === null || value === undefined) return "—";
  return metric === "revenue" ? formatMoney(value) : formatNumber(value);
}

/** /reports/leaderboard: journeys or emails ranked by the criterion picked; a journey opens onto its
 * emails, ranked the same way. The criterion, the kind and the journey opened stay in the URL. */
export function LeaderboardPage() {
  const { t } = useTranslation();
  const { filters } = useReportFilters();
  const [params, set] = useUrlParams();
  const metric = (METRICS.find((m) => m === params.get("metric")) ?? "unique_opens") as LeaderMetric;
  const of = Number(params.get("of")) || null;
  const kind: LeaderKind = of ? "emails" : params.get("kind") === "emails" ? "emails" : "journeys";
  const board = useLeaderboard(filters, kind, metric, of);
  const items = board.data?.items ?? [];
  const metricName = t(`reports.leaderboard.metrics.${metric}`);
  const delivered = t("reports.leaderboard.delivered").toLowerCase();
  const entered = t("reports.leaderboard.entered").toLowerCase();
  return (
    <Stack>
      <ReportHeader page="leaderboard">
        <CsvButton path="/api/reports/leaderboard" filters={of ? { ...filters, journey_ids: [of] } : filters} extra={{ kind, metric }} testId="leaderboard-csv" />
      </ReportHeader>
      <FilterPane show={["journeys", "emails"]} />
      <Group justify="space-between" align="end">
        <Group align="end">
          <Stack gap={4}>
            <Text size="sm" fw={500} id="leaderboard-metric-label">{t("reports.leaderboard.rank_by")}</Text>
            <SegmentedControl value={metric} onChange={(value) => set({ metric: value })} aria-labelledby="leaderboard-metric-label"
              data={METRICS.map((m) => ({ value: m, label: t(`reports.leaderboard.metrics.${m}`) }))} data-testid="leaderboard-metric" />
          </Stack>
          {!of && (
            <Stack gap={4}>
              <Text size="sm" fw={500} id="leaderboard-kind-label">{t("reports.leaderboard.what")}</Text>
              <SegmentedControl value={kind} onChange={(value) => set({ kind: value })} aria-labelledby="leaderboard-kind-label"
                data={[{ value: "journeys", label: t("reports.leaderboard.journeys") }, { value: "emails", label: t("reports.leaderboard.emails") }]}
                data-testid="leaderboard-kind" />
            </Stack>
          )}
        </Group>
        {board.data?.as_of && <Text size="xs" c="dimmed">{t("reports.as_of", { time: formatTime(board.data.as_of) })}</Text>}
      </Group>
      {of && (
        <Group data-testid="leaderboard-journey">
          <Button variant="subtle" size="xs" leftSection={<IconArrowLeft size={14} />} onClick={() => set({ of: null, kind: "journeys" })} data-testid="leaderboard-back">
            {t("reports.leaderboard.back")}
          </Button>
          <Title order={4}>{t("reports.leaderboard.emails_of", { name: params.get("of_name") ?? "" })}</Title>
        </Group>
      )}
      {board.isPending ? <Loader /> : board.isError ? <Alert color="red">{board.error.message}</Alert> : items.length === 0 ? (
        <Text c="dimmed" data-testid="leaderboard-empty">{t("reports.leaderboard.empty")}</Text>
      ) : (
        <>
          <Paper withBorder p="md">
            <Title order={4} id="leaderboard-chart-title">{t("reports.leaderboard.chart", { metric: metricName })}</Title>
            <div role="img" aria-labelledby="leaderboard-chart-title" aria-describedby="leaderboard-chart-words">
              <BarChart h={Math.max(160, Math.min(items.length, 10) * 34)} orientation="vertical" dataKey="name" yAxisProps={{ width: 220 }}
                data={items.slice(0, 10).map((i) => ({ name: i.name, value: i[metric] ?? 0 }))}
                valueFormatter={(v) => (metric === "revenue" ? formatMoney(v) : formatNumber(v))}
                series={[{ name: "value", label: metricName, color: "indigo.6" }]} data-testid="leaderboard-chart" />
            </div>
            <Text size="xs" c="dimmed" id="leaderboard-chart-words">
              {items.slice(0, 10).map((i) => `${i.rank}. ${i.name}: ${shown(i, metric)}`).join(" · ")}
            </Text>
          </Paper>
          <Table.ScrollContainer minWidth={900}>
            <Table data-testid="leaderboard-table" striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>#</Table.Th>
                  <Table.Th>{t(kind === "journeys" ? "reports.leaderboard.journey" : "reports.leaderboard.email")}</Table.Th>
                  {kind === "journeys" && <Table.Th ta="right">{t("reports.leaderboard.entered")}</Table.Th>}
                  <Table.Th ta="right">{t("reports.leaderboard.delivered")}</Table.Th>
                  <Table.Th ta="right">{t("reports.leaderboard.metrics.unique_opens")}</Table.Th>
                  <Table.Th ta="right">{t("reports.leaderboard.open_rate")}</Table.Th>
                  <Table.Th ta="right">{t("reports.leaderboard.metrics.unique_clicks")}</Table.Th>
                  <Table.Th ta="right">{t("reports.leaderboard.click_rate")}</Table.Th>
                  {kind === "journeys" && (
                    <>
                      <Table.Th ta="right">{t("reports.leaderboard.metrics.conversions")}</Table.Th>
                      <Table.Th ta="right">{t("reports.leaderboard.conversion_rate")}</Table.Th>
                      <Table.Th ta="right">{t("reports.leaderboard.metrics.submissions")}</Table.Th>
                      <Table.Th ta="right">{t("reports.leaderboard.metrics.leads")}</Table.Th>
                    </>
                  )}
                  <Table.Th ta="right">{t("reports.leaderboard.metrics.revenue")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((item) => (
                  <Table.Tr key={item.id} data-testid={`leaderboard-row-${item.kind}-${item.id}`}>
                    <Table.Td>{item.rank}</Table.Td>
                    <Table.Td>
                      {item.kind === "journey" ? (
                        <Anchor component="button" type="button" onClick={() => set({ of: String(item.id), of_name: item.name })}
                          data-testid={`leaderboard-open-${item.id}`} aria-label={t("reports.leaderboard.open", { name: item.name })}>
                          {item.name}
                        </Anchor>
                      ) : item.name}
                    </Table.Td>
                    {kind === "journeys" && <Table.Td ta="right">{formatNumber(item.entered ?? 0)}</Table.Td>}
                    <Table.Td ta="right">{formatNumber(item.delivered)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(item.unique_opens)}</Table.Td>
                    <Table.Td ta="right"><Rate part={item.unique_opens} whole={item.delivered} over={delivered} /></Table.Td>
                    <Table.Td ta="right">{formatNumber(item.unique_clicks)}</Table.Td>
                    <Table.Td ta="right"><Rate part={item.unique_clicks} whole={item.delivered} over={delivered} /></Table.Td>
                    {kind === "journeys" && (
                      <>
                        <Table.Td ta="right">{formatNumber(item.conversions ?? 0)}</Table.Td>
                        <Table.Td ta="right"><Rate part={item.conversions ?? 0} whole={item.entered ?? 0} over={entered} /></Table.Td>
                        <Table.Td ta="right">{formatNumber(item.submissions ?? 0)}</Table.Td>
                        <Table.Td ta="right">{formatNumber(item.leads ?? 0)}</Table.Td>
                      </>
                    )}
                    <Table.Td ta="right">{formatMoney(item.revenue)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
    </Stack>
  );
}
