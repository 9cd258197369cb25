import { Alert, Anchor, Badge, Group, Loader, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import dayjs from "dayjs";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useOverview, type AttentionItem, type Overview } from "../../api/queries/reports_home";
import { CsvButton } from "../reports/CsvButton";
import { FilterPane } from "../reports/FilterPane";
import { useReportFilters } from "../reports/filters";
import { FigureCard } from "./FigureCard";
import { PinnedTiles } from "./Tiles";

function attentionText(item: AttentionItem, t: (key: string, values?: Record<string, unknown>) => string, language: string) {
  const percent = (v: number | undefined) =>
    new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 1 }).format(v ?? 0);
  const n = item.numbers;
  if (item.kind === "bounce_spike") {
    const usual = n.usual == null ? "" : t("home.attention.usually", { rate: percent(n.usual) });
    return t("home.attention.bounce_spike_detail", { rate: percent(n.rate), count: n.days }) + usual;
  }
  return t(`home.attention.${item.kind}_detail`, { ...n, count: n.failed ?? n.days });
}

function Attention({ report }: { report: Overview }) {
  const { t, i18n } = useTranslation();
  return (
    <Paper withBorder p="sm" data-testid="home-attention">
      <Title order={3} mb="xs">{t("home.attention.title")}</Title>
      {report.attention.length === 0 ? (
        <Text size="sm" c="dimmed">{t("home.attention.none")}</Text>
      ) : (
        <Stack gap="xs" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
          {report.attention.map((item, i) => (
            <li key={i} data-testid={`home-attention-${item.kind}`}>
              <Group gap="xs" wrap="nowrap" align="start">
                <Badge variant="light" color="orange" size="sm">{t(`home.attention.${item.kind}`)}</Badge>
                <div>
                  <Anchor component={Link} to={item.link} fw={600} size="sm">{item.title}</Anchor>
                  <Text size="xs" c="dimmed">{attentionText(item, t, i18n.language)}</Text>
                </div>
              </Group>
            </li>
          ))}
        </Stack>
      )}
    </Paper>
  );
}

function Recent({ report }: { report: Overview }) {
  const { t } = useTranslation();
  return (
    <Paper withBorder p="sm" data-testid="home-recent">
      <Title order={3} mb="xs">{t("home.recent.title")}</Title>
      {report.recent.length === 0 ? (
        <Text size="sm" c="dimmed">{t("home.recent.none")}</Text>
      ) : (
        <Stack gap={6} component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
          {report.recent.map((item, i) => (
            <li key={i}>
              <Text size="sm">
                {t(`home.recent.${item.kind}`)}{" · "}
                <Anchor component={Link} to={item.link} size="sm">{item.title}</Anchor>
              </Text>
              <Text size="xs" c="dimmed">{dayjs(item.at).format("D MMM YYYY, HH:mm")}</Text>
            </li>
          ))}
        </Stack>
      )}
    </Paper>
  );
}

/** The page after login: the period at a glance (each figure against the previous period, with
 * its trend in words), what needs attention, what happened last, and the tiles pinned from reports. */
export function HomePage() {
  const { t } = useTranslation();
  const { filters } = useReportFilters();
  const overview = useOverview(filters);
  const report = overview.data;
  return (
    <Stack data-testid="page-home">
      <Group justify="space-between" align="start">
        <Stack gap={2}>
          <Title order={2}>{t("home.title")}</Title>
          <Text c="dimmed" size="sm">{t("home.description")}</Text>
        </Stack>
        <Group gap="xs">
          {report && <Text size="xs" c="dimmed" data-testid="home-as-of">{t("home.as_of", { time: dayjs(report.as_of).format("HH:mm") })}</Text>}
          <CsvButton path="/api/reports/overview" filters={filters} testId="home-csv" />
        </Group>
      </Group>
      <FilterPane show={["segment"]} />
      {overview.isError && <Alert color="red">{overview.error.message}</Alert>}
      {!report ? (
        overview.isPending && <Loader role="status" aria-label={t("common.loading")} />
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, sm: 2, md: 3, xl: 4 }} data-testid="home-figures" aria-busy={overview.isFetching}>
            {report.figures.map((figure) => (
              <FigureCard key={figure.key} figure={figure} days={report.days.length} />
            ))}
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Attention report={report} />
            <Recent report={report} />
          </SimpleGrid>
        </>
      )}
      <PinnedTiles />
    </Stack>
  );
}
