import { Group, Paper, Stack, Text, Tooltip } from "@mantine/core";
import { Sparkline } from "@mantine/charts";
import { IconArrowDownRight, IconArrowUpRight, IconMinus } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { OverviewFigure } from "../../api/queries/reports_home";
import { formatChange, formatValue, isRate } from "./format";

/** The trend in words ("+12% vs previous 30 days") with an arrow: blue up, orange down (safe for
 * colour-blind readers, and the words carry it anyway). */
function Trend({ figure, days }: { figure: OverviewFigure; days: number }) {
  const { t, i18n } = useTranslation();
  const testId = `home-figure-${figure.key}-trend`;
  if (figure.previous == null) return <Text size="xs" c="dimmed" data-testid={testId}>{t("home.trend.now")}</Text>;
  if (figure.change == null) {
    return <Text size="xs" c="dimmed" data-testid={testId}>{t("home.trend.none", { count: days })}</Text>;
  }
  const up = figure.change > 0;
  const Icon = figure.change === 0 ? IconMinus : up ? IconArrowUpRight : IconArrowDownRight;
  const color = figure.change === 0 ? "dimmed" : up ? "blue.8" : "orange.9";
  return (
    <Group gap={4} wrap="nowrap" data-testid={testId}>
      <Icon size={14} aria-hidden color={`var(--mantine-color-${color.replace(".", "-")})`} />
      <Text size="xs" c={color}>{t("home.trend.vs", { change: formatChange(figure.change, i18n.language), count: days })}</Text>
    </Group>
  );
}

export function FigureCard({ figure, days }: { figure: OverviewFigure; days: number }) {
  const { t, i18n } = useTranslation();
  const rate = isRate(figure);
  const label = t(`home.figures.${figure.key}`);
  const value = formatValue(figure.value, rate, i18n.language);
  const series = (figure.series ?? []).map((v) => v ?? 0);
  return (
    <Paper withBorder p="sm" data-testid={`home-figure-${figure.key}`}>
      <Stack gap={4}>
        <Text size="sm" c="dimmed">{label}</Text>
        <Group justify="space-between" align="end" wrap="nowrap">
          {figure.value == null ? (
            <Tooltip label={t("home.no_divisor")}>
              <Text fz={24} fw={700} tabIndex={0} data-testid={`home-figure-${figure.key}-value`}>—</Text>
            </Tooltip>
          ) : (
            <Text fz={24} fw={700} data-testid={`home-figure-${figure.key}-value`}>{value}</Text>
          )}
          {series.length > 1 && (
            <div role="img" aria-label={t("home.sparkline", { label })}>
              <Sparkline w={96} h={32} data={series} curveType="linear" color="blue" fillOpacity={0.2} strokeWidth={1.5} />
            </div>
          )}
        </Group>
        {rate && <Text size="xs" c="dimmed">{t(`home.divided_by.${figure.key}`)}</Text>}
        <Trend figure={figure} days={days} />
        {figure.segment_applies && <Text size="xs" c="dimmed">{t("home.in_segment")}</Text>}
      </Stack>
    </Paper>
  );
}
