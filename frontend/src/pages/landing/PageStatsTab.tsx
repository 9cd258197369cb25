import { LineChart } from "@mantine/charts";
import { Alert, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { usePageStats } from "../../api/queries/landing";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDate, formatNumber } from "../../components/format";

const percent = (rate: number) => formatNumber(rate, { style: "percent", maximumFractionDigits: 1 });

export function PageStatsTab({ pageId }: { pageId: number }) {
  const { t } = useTranslation();
  const stats = usePageStats(pageId, 30, true);
  if (stats.error) return <ErrorAlert error={stats.error} />;
  const data = stats.data;
  if (!data) return null;
  const figures = [
    ["visits", formatNumber(data.visits)],
    ["unique_visitors", formatNumber(data.unique_visitors)],
    ["submissions", formatNumber(data.submissions)],
    ["conversion_rate", percent(data.conversion_rate)],
  ] as const;
  return (
    <Stack data-testid="page-stats">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {figures.map(([key, value]) => (
          <Card key={key} withBorder data-testid={`page-stat-${key}`}>
            <Text size="sm" c="dimmed">{t(`landing.stats.${key}`)}</Text>
            <Text fw={700} size="xl">{value}</Text>
          </Card>
        ))}
      </SimpleGrid>
      <Title order={3}>{t("landing.stats.over_time")}</Title>
      <LineChart h={260} dataKey="day" withLegend
        data={data.days.map((d) => ({ day: formatDate(d.day), visits: d.visits, unique: d.unique_visitors, submissions: d.submissions }))}
        series={[
          { name: "visits", label: t("landing.stats.visits"), color: "indigo.6" },
          { name: "unique", label: t("landing.stats.unique_visitors"), color: "teal.7" },
          { name: "submissions", label: t("landing.stats.submissions"), color: "orange.7" },
        ]} />
      {data.variants.length > 1 && (
        <Stack>
          <Title order={3}>{t("landing.stats.variants")}</Title>
          {data.winner && (
            <Alert color={data.winner.significant ? "green" : "gray"} data-testid="page-winner">
              {data.winner.significant
                ? t("landing.stats.winner", { key: data.winner.key, confidence: percent(data.winner.confidence) })
                : t("landing.stats.no_winner_yet", { key: data.winner.key, confidence: percent(data.winner.confidence) })}
            </Alert>
          )}
          <Table data-testid="page-variants">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("landing.stats.variant")}</Table.Th>
                <Table.Th>{t("landing.stats.unique_visitors")}</Table.Th>
                <Table.Th>{t("landing.stats.submissions")}</Table.Th>
                <Table.Th>{t("landing.stats.conversion_rate")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.variants.map((v) => (
                <Table.Tr key={v.key}>
                  <Table.Td>
                    <Group gap="xs">
                      {t("landing.stats.variant_n", { key: v.key })}
                      {data.winner?.key === v.key && data.winner.significant && <Badge color="green">{t("landing.stats.best")}</Badge>}
                    </Group>
                  </Table.Td>
                  <Table.Td>{formatNumber(v.unique_visitors)}</Table.Td>
                  <Table.Td>{formatNumber(v.submissions)}</Table.Td>
                  <Table.Td>{percent(v.conversion_rate)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </Stack>
  );
}
