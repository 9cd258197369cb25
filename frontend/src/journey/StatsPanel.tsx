import { BarChart } from "@mantine/charts";
import { Card, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../api/client";
import { LeftOutTable } from "../components/AudienceConfirm";
import { formatDateTime, formatNumber } from "../components/format";
import { LeftOutDrawer, type LeftOutPick } from "./LeftOutDrawer";
import { typeKey } from "./catalog";
import { stepOf, type Graph } from "./definition";
import type { Lookups } from "./lookups";
import { summarize } from "./summary";

type Props = { stats: Schemas["JourneyStats"] | undefined; graph: Graph; lookups: Lookups };

const percent = (rate: number) => formatNumber(rate, { style: "percent", maximumFractionDigits: 1 });

/** How many contacts reached each step, and how each email of the journey did. */
export function StatsPanel({ stats, graph, lookups }: Props) {
  const { t } = useTranslation();
  const [pick, setPick] = useState<LeftOutPick>(null);
  if (!stats) return <Text c="dimmed">{t("journeys.stats.none")}</Text>;
  const name = (id: string, type: string) => {
    const node = graph.nodes.find((n) => n.id === id);
    const summary = node ? summarize(node.type, node.config, t, lookups) : "";
    return `${t(`journeys.types.${typeKey(type)}`)}${summary ? ` · ${summary}` : ""}`;
  };
  const totals = [
    ["entered", formatNumber(stats.entered)],
    ["active", formatNumber(stats.active)],
    ["completed", formatNumber(stats.completed)],
    ["exited", formatNumber(stats.exited)],
    ["converted", `${formatNumber(stats.converted)} · ${percent(stats.conversion_rate)}`],
  ] as const;
  const emails = graph.nodes.flatMap((n) => {
    const step = stepOf(n.type, n.config);
    return step.type === "action.email" ? [{ id: n.id, emailId: step.config.email_id }] : [];
  });
  const kept = stats.published_audience;
  const skipped = stats.funnel.filter((f) => (stats.nodes[f.node_id]?.left_out?.length ?? 0) > 0);
  const captured = Object.values(stats.nodes).some((n) => (n.email?.captured ?? 0) > 0);
  return (
    <Stack data-testid="journey-stats">
      {kept && (
        <Text size="sm" c="dimmed" data-testid="journey-published-audience">
          {kept.entries_over_time
            ? t("journeys.stats.published_over_time", { version: kept.version, when: formatDateTime(kept.at) })
            : t("journeys.stats.published_audience", {
                version: kept.version, when: formatDateTime(kept.at), total: formatNumber(kept.total), count: kept.entering, entering: formatNumber(kept.entering),
              })}
        </Text>
      )}
      <SimpleGrid cols={{ base: 2, md: 5 }}>
        {totals.map(([key, value]) => (
          <Card withBorder key={key} data-testid={`journey-stats-${key}`}>
            <Text size="xs" c="dimmed">{t(`journeys.stats.${key}`)}</Text>
            <Text fw={700} fz="xl">{value}</Text>
          </Card>
        ))}
      </SimpleGrid>
      {stats.left_out.length > 0 && (
        <Card withBorder data-testid="journey-entry-left-out">
          <Text fw={600}>{t("journeys.stats.left_out_entry", { count: stats.left_out.reduce((sum, r) => sum + r.count, 0) })}</Text>
          <LeftOutTable leftOut={stats.left_out} testId="journey-left-out" onOpen={(reason) => setPick({ reason })} />
        </Card>
      )}
      <Title order={4}>{t("journeys.stats.funnel")}</Title>
      <BarChart h={Math.max(200, stats.funnel.length * 36)} orientation="vertical" dataKey="step" yAxisProps={{ width: 260 }}
        data={stats.funnel.map((f) => ({ step: name(f.node_id, f.type), entered: f.entered }))}
        series={[{ name: "entered", label: t("journeys.stats.entered"), color: "indigo.6" }]} data-testid="journey-funnel" />
      <Title order={4}>{t("journeys.stats.emails")}</Title>
      <Table data-testid="journey-email-stats">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("journeys.fields.email")}</Table.Th>
            <Table.Th ta="right">{t("journeys.stats.sent")}</Table.Th>
            <Table.Th ta="right">{t("journeys.stats.opened")}</Table.Th>
            <Table.Th ta="right">{t("journeys.stats.open_rate")}</Table.Th>
            <Table.Th ta="right">{t("journeys.stats.clicked")}</Table.Th>
            <Table.Th ta="right">{t("journeys.stats.click_rate")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {emails.map((node) => {
            const email = stats.nodes[node.id]?.email;
            const id = node.emailId;
            return (
              <Table.Tr key={node.id} data-testid={`journey-email-stats-${node.id}`}>
                <Table.Td>{id != null ? (lookups.emails.get(id) ?? `#${id}`) : node.id}</Table.Td>
                <Table.Td ta="right">{formatNumber(email?.sent ?? 0)}</Table.Td>
                <Table.Td ta="right">{formatNumber(email?.opened ?? 0)}</Table.Td>
                <Table.Td ta="right">{percent(email?.open_rate ?? 0)}</Table.Td>
                <Table.Td ta="right">{formatNumber(email?.clicked ?? 0)}</Table.Td>
                <Table.Td ta="right">{percent(email?.click_rate ?? 0)}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {captured && <Text size="sm" c="dimmed" data-testid="journey-email-captured">{t("journeys.stats.captured")}</Text>}
      {skipped.map((f) => (
        <Card withBorder key={f.node_id} data-testid={`journey-step-left-out-${f.node_id}`}>
          <Text fw={600}>{t("journeys.stats.left_out_step", { step: name(f.node_id, f.type) })}</Text>
          <LeftOutTable leftOut={stats.nodes[f.node_id]?.left_out ?? []} testId={`journey-step-left-out-${f.node_id}`}
            onOpen={(reason) => setPick({ reason, nodeId: f.node_id })} />
        </Card>
      ))}
      <LeftOutDrawer journeyId={stats.journey_id} pick={pick} onClose={() => setPick(null)} />
    </Stack>
  );
}
