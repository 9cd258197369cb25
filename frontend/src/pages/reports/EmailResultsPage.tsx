// Email results: every email of the period with its rates (human or all), a chart over time, and
// one email in detail (/reports/emails/:id): figures, days, hours, domains, links, revenue.
import { BarChart, LineChart } from "@mantine/charts";
import { Anchor, Card, Group, SegmentedControl, SimpleGrid, Stack, Switch, Table, Text, Title, Tooltip } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Route, Routes, useLocation, useParams } from "react-router";
import {
  useEmailReport,
  useEmailsReport,
  type Attribution,
  type EmailFigures,
  type Rate,
} from "../../api/queries/reports_emails";
import { DataTable } from "../../components/DataTable";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDate, formatNumber, formatTime } from "../../components/format";
import { CsvButton } from "./CsvButton";
import { FilterPane } from "./FilterPane";
import { ReportHeader } from "./ReportHeader";
import { reportQuery, useReportFilters } from "./filters";
import { PinButton } from "./PinButton";

/** A rate as a percentage, "—" (with why, in words) when its divisor is zero. */
function RateCell({ rate, testId }: { rate: Rate | undefined; testId?: string }) {
  const { t } = useTranslation();
  if (!rate) return null;
  const divisor = t(`reports.emails_report.metrics.${rate.divisor}`);
  const numerator = t(`reports.emails_report.metrics.${rate.numerator}`);
  if (rate.value === null || rate.value === undefined)
    return (
      <Tooltip label={t("reports.emails_report.no_rate", { divisor })}>
        <Text span size="sm" data-testid={testId} tabIndex={0}>—</Text>
      </Tooltip>
    );
  return (
    <Tooltip label={t("reports.emails_report.rate_of", { numerator, divisor })}>
      <Text span size="sm" data-testid={testId} tabIndex={0}>
        {formatNumber(rate.value, { style: "percent", maximumFractionDigits: 1 })}
      </Text>
    </Tooltip>
  );
}

function AsOf({ at }: { at: string | null | undefined }) {
  const { t } = useTranslation();
  return (
    <Text size="xs" c="dimmed" data-testid="report-as-of">
      {at ? t("reports.emails_report.as_of", { time: formatTime(at) }) : t("reports.emails_report.as_of_unknown")}
    </Text>
  );
}

/** Where the figures come from (the rollups, or a segment's members' raw rows) and the
 * attribution window of the revenue. */
function Provenance({ source, days }: { source: "rollups" | "raw"; days: number }) {
  const { t } = useTranslation();
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" data-testid="report-source" data-source={source}>
        {t(`reports.emails_report.source_${source}`)}
      </Text>
      <Text size="xs" c="dimmed" data-testid="report-attribution-days">
        {t("reports.emails_report.attribution_window", { count: days })}
      </Text>
    </Stack>
  );
}

const opensOf = (f: EmailFigures, human: boolean) => (human ? f.unique_opens_human : f.unique_opens);
const clicksOf = (f: EmailFigures, human: boolean) => (human ? f.unique_clicks_human : f.unique_clicks);
const openRate = (f: EmailFigures, human: boolean) => f.rates[human ? "unique_open_rate_human" : "unique_open_rate"];
const clickRate = (f: EmailFigures, human: boolean) => f.rates[human ? "unique_click_rate_human" : "unique_click_rate"];

function EmailsList() {
  const { t } = useTranslation();
  const location = useLocation();
  const { filters } = useReportFilters();
  const [human, setHuman] = useState(true);
  const { data, isLoading, error } = useEmailsReport(filters);
  const rows = data?.items ?? [];
  return (
    <Stack>
      <ReportHeader page="emails">
        <CsvButton path="/api/reports/emails" filters={filters} testId="emails-csv" />
        <PinButton report="/api/reports/emails" params={reportQuery(filters)} title={t("reports.pages.emails.title")} testId="emails-pin" />
      </ReportHeader>
      <FilterPane show={["journeys", "emails", "segment"]} />
      <Group justify="space-between" align="start">
        <Switch checked={human} onChange={(e) => setHuman(e.currentTarget.checked)} data-testid="human-switch"
          label={t("reports.emails_report.human_only")} description={t("reports.emails_report.human_hint")} />
        <Stack gap={0} align="end">
          <AsOf at={data?.as_of} />
          {data && <Provenance source={data.source} days={data.attribution_days} />}
        </Stack>
      </Group>
      {data && (
        <Card withBorder>
          <Title order={4} id="emails-over-time">{t("reports.emails_report.over_time")}</Title>
          <LineChart h={240} dataKey="day" withLegend aria-labelledby="emails-over-time" data-testid="emails-chart"
            data={data.by_day.map((d) => ({
              day: formatDate(d.day),
              sent: d.figures.sent,
              opens: opensOf(d.figures, human),
              clicks: clicksOf(d.figures, human),
            }))}
            series={[
              { name: "sent", label: t("reports.emails_report.metrics.sent"), color: "indigo.6" },
              { name: "opens", label: t(`reports.emails_report.metrics.${human ? "unique_opens_human" : "unique_opens"}`), color: "teal.7" },
              { name: "clicks", label: t(`reports.emails_report.metrics.${human ? "unique_clicks_human" : "unique_clicks"}`), color: "orange.7" },
            ]} />
        </Card>
      )}
      <DataTable
        testId="emails-table"
        rows={rows}
        loading={isLoading}
        error={error}
        rowKey={(r) => r.email_id}
        empty={{ message: t("reports.emails_report.empty"), testId: "emails-empty" }}
        columns={[
          {
            key: "name",
            header: t("reports.emails_report.email"),
            sortValue: (r) => r.name,
            render: (r) => (
              <Stack gap={0}>
                <Anchor component={Link} to={{ pathname: `/reports/emails/${r.email_id}`, search: location.search }}
                  data-testid={`email-link-${r.email_id}`}>{r.name}</Anchor>
                {r.variants.map((v) => (
                  <Text key={v.variant} size="xs" c="dimmed" data-testid={`email-variant-${r.email_id}-${v.variant}`}>
                    {t("reports.emails_report.variant", { variant: v.variant, sent: v.figures.sent })}
                    {" · "}
                    {formatNumber(openRate(v.figures, human).value ?? 0, { style: "percent", maximumFractionDigits: 1 })}
                  </Text>
                ))}
              </Stack>
            ),
          },
          { key: "sent", header: t("reports.emails_report.metrics.sent"), align: "right", sortValue: (r) => r.figures.sent, render: (r) => formatNumber(r.figures.sent) },
          { key: "delivered", header: t("reports.emails_report.metrics.delivered"), align: "right", sortValue: (r) => r.figures.delivered, render: (r) => formatNumber(r.figures.delivered) },
          {
            key: "opens", header: t(`reports.emails_report.metrics.${human ? "unique_opens_human" : "unique_opens"}`), align: "right",
            sortValue: (r) => opensOf(r.figures, human),
            render: (r) => <span data-testid={`email-opens-${r.email_id}`}>{formatNumber(opensOf(r.figures, human))}</span>,
          },
          {
            key: "open_rate", header: t("reports.emails_report.open_rate"), align: "right",
            sortValue: (r) => openRate(r.figures, human).value ?? -1,
            render: (r) => <RateCell rate={openRate(r.figures, human)} testId={`email-open-rate-${r.email_id}`} />,
          },
          {
            key: "clicks", header: t(`reports.emails_report.metrics.${human ? "unique_clicks_human" : "unique_clicks"}`), align: "right",
            sortValue: (r) => clicksOf(r.figures, human), render: (r) => formatNumber(clicksOf(r.figures, human)),
          },
          {
            key: "click_rate", header: t("reports.emails_report.click_rate"), align: "right",
            sortValue: (r) => clickRate(r.figures, human).value ?? -1,
            render: (r) => <RateCell rate={clickRate(r.figures, human)} />,
          },
          { key: "bounced", header: t("reports.emails_report.metrics.bounced"), align: "right", sortValue: (r) => r.figures.bounced, render: (r) => formatNumber(r.figures.bounced) },
          { key: "unsubscribed", header: t("reports.emails_report.metrics.unsubscribed"), align: "right", sortValue: (r) => r.figures.unsubscribed, render: (r) => formatNumber(r.figures.unsubscribed) },
          { key: "revenue", header: t("reports.emails_report.metrics.revenue"), align: "right", sortValue: (r) => r.figures.revenue, render: (r) => formatNumber(r.figures.revenue, { maximumFractionDigits: 2 }) },
        ]}
      />
    </Stack>
  );
}

const FIGURES = [
  "sent", "delivered", "bounced_hard", "bounced_soft", "unique_opens", "unique_opens_human", "unique_opens_machine",
  "opens", "unique_clicks", "unique_clicks_human", "clicks", "unsubscribed", "complaints",
] as const;

function OneEmail() {
  const { t } = useTranslation();
  const location = useLocation();
  const emailId = Number(useParams().emailId);
  const { filters } = useReportFilters();
  const [attribution, setAttribution] = useState<Attribution>("last");
  const { data, error } = useEmailReport(emailId, filters, attribution);
  if (error) return <ErrorAlert error={error} />;
  if (!data) return null;
  const f = data.figures;
  return (
    <Stack data-testid="email-report">
      <Group justify="space-between" align="start">
        <Stack gap={2}>
          <Anchor component={Link} to={{ pathname: "/reports/emails", search: location.search }} size="sm" data-testid="email-report-back">
            {t("reports.emails_report.back")}
          </Anchor>
          <Title order={2}>{data.name}</Title>
        </Stack>
        <CsvButton path={`/api/reports/emails/${emailId}`} filters={filters} extra={{ table: "by_day" }} testId="email-days-csv" />
      </Group>
      <FilterPane show={["segment"]} />
      <AsOf at={data.as_of} />
      <Provenance source={data.source} days={data.attribution_days} />
      <SimpleGrid cols={{ base: 2, md: 4, lg: 7 }}>
        {FIGURES.map((key) => (
          <Card key={key} withBorder p="sm" data-testid={`email-figure-${key}`}>
            <Text size="xs" c="dimmed">{t(`reports.emails_report.metrics.${key}`)}</Text>
            <Text fw={700} fz="lg">{formatNumber(f[key])}</Text>
          </Card>
        ))}
      </SimpleGrid>
      <Group gap="xl">
        {(["unique_open_rate_human", "unique_open_rate", "unique_click_rate_human", "click_to_open_rate", "bounce_rate", "unsubscribe_rate"] as const).map((key) => (
          <Stack key={key} gap={0}>
            <Text size="xs" c="dimmed">{t(`reports.emails_report.rates.${key}`)}</Text>
            <RateCell rate={f.rates[key]} testId={`email-rate-${key}`} />
          </Stack>
        ))}
      </Group>
      <Card withBorder>
        <Group justify="space-between">
          <Title order={4}>{t("reports.emails_report.revenue_title")}</Title>
          <SegmentedControl value={attribution} onChange={(v) => setAttribution(v as Attribution)} data-testid="attribution-switch"
            aria-label={t("reports.emails_report.attribution")}
            data={[{ value: "last", label: t("reports.emails_report.last_touch") }, { value: "first", label: t("reports.emails_report.first_touch") }]} />
        </Group>
        <Text fw={700} fz="xl" data-testid="email-revenue">{formatNumber(data.revenue, { maximumFractionDigits: 2 })}</Text>
        <Text size="xs" c="dimmed">{t("reports.emails_report.attribution_hint", { days: data.attribution_days })}</Text>
      </Card>
      {data.variants.length > 0 && (
        <Table data-testid="email-variants">
          <Table.Thead><Table.Tr>
            <Table.Th>{t("reports.emails_report.variant_column")}</Table.Th>
            <Table.Th ta="right">{t("reports.emails_report.metrics.sent")}</Table.Th>
            <Table.Th ta="right">{t("reports.emails_report.rates.unique_open_rate_human")}</Table.Th>
            <Table.Th ta="right">{t("reports.emails_report.rates.unique_click_rate_human")}</Table.Th>
          </Table.Tr></Table.Thead>
          <Table.Tbody>
            {data.variants.map((v) => (
              <Table.Tr key={v.variant}>
                <Table.Td>{v.variant}</Table.Td>
                <Table.Td ta="right">{formatNumber(v.figures.sent)}</Table.Td>
                <Table.Td ta="right"><RateCell rate={v.figures.rates.unique_open_rate_human} /></Table.Td>
                <Table.Td ta="right"><RateCell rate={v.figures.rates.unique_click_rate_human} /></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group justify="space-between">
        <Title order={4}>{t("reports.emails_report.links")}</Title>
        <CsvButton path={`/api/reports/emails/${emailId}`} filters={filters} extra={{ table: "links" }} testId="email-links-csv" />
      </Group>
      <DataTable testId="email-links" rows={data.links} rowKey={(r) => r.url}
        empty={{ message: t("reports.emails_report.no_clicks"), testId: "email-links-empty" }}
        columns={[
          { key: "url", header: t("reports.emails_report.url"), sortValue: (r) => r.url, render: (r) => <Text size="sm" style={{ wordBreak: "break-all" }}>{r.url}</Text> },
          { key: "clicks", header: t("reports.emails_report.metrics.clicks"), align: "right", sortValue: (r) => r.clicks, render: (r) => formatNumber(r.clicks) },
          { key: "unique", header: t("reports.emails_report.metrics.unique_clicks"), align: "right", sortValue: (r) => r.unique_clicks, render: (r) => formatNumber(r.unique_clicks) },
          { key: "human", header: t("reports.emails_report.metrics.unique_clicks_human"), align: "right", sortValue: (r) => r.unique_clicks_human, render: (r) => formatNumber(r.unique_clicks_human) },
        ]} />
      <Title order={4} id="email-by-hour">{t("reports.emails_report.by_hour")}</Title>
      <BarChart h={220} dataKey="hour" aria-labelledby="email-by-hour" data-testid="email-hours-chart"
        data={data.by_hour.map((h) => ({ hour: `${h.hour}:00`, opens: h.open_rate.value ?? 0, clicks: h.click_rate.value ?? 0 }))}
        valueFormatter={(v) => formatNumber(v, { style: "percent", maximumFractionDigits: 1 })}
        series={[
          { name: "opens", label: t("reports.emails_report.open_rate_sent"), color: "teal.7" },
          { name: "clicks", label: t("reports.emails_report.click_rate_sent"), color: "orange.7" },
        ]} />
      <Group justify="space-between">
        <Title order={4}>{t("reports.emails_report.by_domain")}</Title>
        <CsvButton path={`/api/reports/emails/${emailId}`} filters={filters} extra={{ table: "by_domain" }} testId="email-domains-csv" />
      </Group>
      <DataTable testId="email-domains" rows={data.by_domain} rowKey={(r) => r.domain}
        columns={[
          { key: "domain", header: t("reports.emails_report.domain"), sortValue: (r) => r.domain, render: (r) => r.domain },
          { key: "sent", header: t("reports.emails_report.metrics.sent"), align: "right", sortValue: (r) => r.sent, render: (r) => formatNumber(r.sent) },
          { key: "delivered", header: t("reports.emails_report.metrics.delivered"), align: "right", sortValue: (r) => r.delivered, render: (r) => formatNumber(r.delivered) },
          { key: "opened", header: t("reports.emails_report.opened"), align: "right", sortValue: (r) => r.opened, render: (r) => formatNumber(r.opened) },
          { key: "clicked", header: t("reports.emails_report.clicked"), align: "right", sortValue: (r) => r.clicked, render: (r) => formatNumber(r.clicked) },
          { key: "bounced", header: t("reports.emails_report.metrics.bounced"), align: "right", sortValue: (r) => r.bounced, render: (r) => formatNumber(r.bounced) },
          { key: "rate", header: t("reports.emails_report.open_rate"), align: "right", sortValue: (r) => r.open_rate.value ?? -1, render: (r) => <RateCell rate={r.open_rate} /> },
        ]} />
      <Title order={4} id="email-by-day">{t("reports.emails_report.by_day")}</Title>
      <LineChart h={220} dataKey="day" withLegend aria-labelledby="email-by-day" data-testid="email-days-chart"
        data={data.by_day.map((d) => ({ day: formatDate(d.day), opens: d.figures.unique_opens_human, clicks: d.figures.unique_clicks_human }))}
        series={[
          { name: "opens", label: t("reports.emails_report.metrics.unique_opens_human"), color: "teal.7" },
          { name: "clicks", label: t("reports.emails_report.metrics.unique_clicks_human"), color: "orange.7" },
        ]} />
    </Stack>
  );
}

export function EmailResultsPage() {
  return (
    <Routes>
      <Route index element={<EmailsList />} />
      <Route path=":emailId" element={<OneEmail />} />
    </Routes>
  );
}
