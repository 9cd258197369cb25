import { BarChart } from "@mantine/charts";
import { Alert, Badge, Card, Group, Loader, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { formatNumber } from "../../components/format";
import { gradeColor, sortedGrades, type Draft } from "./model";
import type { Distribution } from "../../api/queries/scoring";

/** What the unsaved model would give on today's contacts: a histogram of scores, the count per
 * grade, and how many would be sales-ready. */
export function DistributionPreview({ distribution, grades, loading, blocked, error }: {
  distribution: Distribution | undefined;
  grades: Draft["grades"];
  loading: boolean;
  blocked: boolean;
  error: string | null;
}) {
  const { t } = useTranslation();
  const bars = (distribution?.histogram ?? []).map((bucket) => ({
    range: `${bucket.from}–${bucket.to}`,
    count: bucket.count,
  }));
  return (
    <Card withBorder data-testid="scoring-preview">
      <Stack gap="sm">
        <Group justify="space-between">
          <Text fw={600}>{t("scoring.preview")}</Text>
          {loading && <Loader size="xs" data-testid="scoring-preview-loading" />}
        </Group>
        <Text size="xs" c="dimmed">{t("scoring.preview_hint")}</Text>
        {blocked && <Alert color="yellow" p="xs" data-testid="scoring-preview-blocked">{t("scoring.preview_blocked")}</Alert>}
        {error && <Alert color="red" p="xs" data-testid="scoring-preview-error">{error}</Alert>}
        <Group gap="xl" align="baseline">
          <div>
            <Text size="xs" c="dimmed">{t("scoring.sales_ready_now")}</Text>
            <Text fw={700} fz={32} c="green" data-testid="scoring-preview-sales-ready">
              {distribution ? formatNumber(distribution.sales_ready) : "…"}
            </Text>
          </div>
          <div>
            <Text size="xs" c="dimmed">{t("scoring.contacts_scored")}</Text>
            <Text fw={600} fz="lg" data-testid="scoring-preview-total">{distribution ? formatNumber(distribution.total) : "…"}</Text>
          </div>
        </Group>
        <Group gap={6} data-testid="scoring-preview-grades">
          {sortedGrades(grades).map((band) => (
            <Badge key={band.grade} size="lg" variant="light" color={gradeColor(band.grade, grades)}
              data-testid={`scoring-preview-grade-${band.grade}`}>
              {band.grade}: {distribution ? formatNumber(distribution.by_grade[band.grade] ?? 0) : "…"}
            </Badge>
          ))}
        </Group>
        <div data-testid="scoring-preview-chart" data-buckets={JSON.stringify(distribution?.histogram ?? [])}>
          <BarChart
            h={220}
            data={bars}
            dataKey="range"
            series={[{ name: "count", label: t("scoring.contacts"), color: "indigo.6" }]}
            tickLine="y"
            xAxisProps={{ interval: "preserveStartEnd" }}
          />
        </div>
      </Stack>
    </Card>
  );
}
