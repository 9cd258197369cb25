import { BarChart } from "@mantine/charts";
import { Button, Card, Group, Select, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import dayjs from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isFinished, useJob } from "../../api/queries/jobs";
import { keys, refreshAudience, useAudienceReport, type AudienceReport } from "../../api/queries/reports_customers";
import { useAuth } from "../../auth/AuthProvider";
import { useSegments } from "../../api/queries/segments";
import { formatNumber } from "../../components/format";
import { CsvButton } from "./CsvButton";
import { AsOf, Rate } from "./customerParts";
import { FilterPane } from "./FilterPane";
import { ReportHeader } from "./ReportHeader";
import { useReportFilters } from "./filters";

const DIMENSIONS = ["gender", "age_band", "country", "city", "language", "lifecycle_stage", "source", "lead_origin", "segment"] as const;
type Bucket = AudienceReport["distributions"][string][number];

function useBucketLabel() {
  const { t } = useTranslation();
  return (bucket: Bucket) => {
    if (bucket.key === null) return t("reports.audience.not_known");
    if (bucket.key === "__other__") return t("reports.audience.other_cities");
    return bucket.label || bucket.key;
  };
}

/** The figures of one audience (the filters' segment, or the one compared with it). */
function OptIns({ report, testId }: { report: AudienceReport; testId: string }) {
  const { t } = useTranslation();
  return (
    <Table data-testid={testId}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("reports.audience.channel")}</Table.Th>
          <Table.Th ta="right">{t("reports.audience.contacts")}</Table.Th>
          <Table.Th ta="right">{t("reports.audience.share")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {report.opt_in.map((o) => (
          <Table.Tr key={o.key} data-testid={`${testId}-${o.key}`}>
            <Table.Td>{o.key.startsWith("topic:") ? t("reports.audience.topic", { name: o.label }) : t(`reports.audience.opt_in.${o.key}`)}</Table.Td>
            <Table.Td ta="right">{formatNumber(o.contacts)}</Table.Td>
            <Table.Td ta="right"><Rate value={o.share} testId={`${testId}-${o.key}-share`} /></Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Distribution({ reports, dimension }: { reports: { name: string; report: AudienceReport }[]; dimension: string }) {
  const { t } = useTranslation();
  const label = useBucketLabel();
  const keys = new Map<string, Bucket>();
  for (const { report } of reports) for (const b of report.distributions[dimension] ?? []) if (!keys.has(String(b.key))) keys.set(String(b.key), b);
  const rows = [...keys.entries()].map(([key, bucket]) => ({
    name: label(bucket),
    key,
    values: reports.map(({ report }) => report.distributions[dimension]?.find((b) => String(b.key) === key)),
  }));
  const chart = rows.slice(0, 15).map((r) => Object.fromEntries([["name", r.name], ...reports.map(({ name }, i) => [name, r.values[i]?.contacts ?? 0])]));
  return (
    <Stack>
      <div role="img" aria-label={t("reports.audience.chart_label", { dimension: t(`reports.audience.dimensions.${dimension}`) })}>
        <BarChart h={220} data={chart} dataKey="name" withLegend={reports.length > 1}
          series={reports.map(({ name }, i) => ({ name, color: i ? "teal.7" : "indigo.6" }))} />
      </div>
      <Table striped data-testid="audience-distribution">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t(`reports.audience.dimensions.${dimension}`)}</Table.Th>
            {reports.map(({ name }) => (
              <Table.Th key={name} ta="right">{t("reports.audience.contacts_of", { name })}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.key} data-testid={`audience-bucket-${r.key}`}>
              <Table.Td>{r.name}</Table.Td>
              {r.values.map((v, i) => (
                <Table.Td key={i} ta="right">{formatNumber(v?.contacts ?? 0)} (<Rate value={v?.share ?? null} />)</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** Who the contacts are, how complete their records are, who can be reached, how the base grows;
 * for the base or a segment, compared side by side with another segment. */
export function AudiencePage() {
  const { t } = useTranslation();
  const { filters } = useReportFilters();
  const segments = useSegments();
  const [dimension, setDimension] = useState<string>("gender");
  const [compare, setCompare] = useState<string | null>(null);
  const main = useAudienceReport(filters);
  const other = useAudienceReport(filters, compare ? Number(compare) : null, compare !== null);
  const segmentName = (id: number | null | undefined) =>
    id ? segments.data?.find((s) => s.id === id)?.name ?? String(id) : t("reports.filters.all_contacts");
  const reports = [
    ...(main.data ? [{ name: segmentName(main.data.segment_id), report: main.data }] : []),
    ...(compare && other.data ? [{ name: segmentName(other.data.segment_id), report: other.data }] : []),
  ];
  const report = main.data;
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJob(jobId, { onFinished: () => void queries.invalidateQueries({ queryKey: keys.all }) });
  const counting = Boolean(job.data && !isFinished(job.data));
  return (
    <Stack data-testid="report-audience">
      <ReportHeader page="audience">
        <CsvButton path="/api/reports/audience" filters={filters} testId="audience-csv" />
      </ReportHeader>
      <FilterPane show={["segment"]} />
      <Group align="end">
        <Select
          label={t("reports.audience.compare_with")}
          placeholder={t("reports.audience.no_comparison")}
          data={(segments.data ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
          value={compare}
          onChange={setCompare}
          clearable
          searchable
          w={280}
          data-testid="audience-compare"
        />
        <AsOf at={report?.as_of} />
        {canWrite && report && report.segment_id === null && (
          <Button variant="light" size="xs" loading={counting} onClick={async () => setJobId((await refreshAudience()).job_id)} data-testid="audience-count-again">
            {t("reports.audience.count_again")}
          </Button>
        )}
      </Group>
      <Text size="xs" c="dimmed">{t("reports.audience.counted_every")}</Text>
      <Text size="sm" c="dimmed">{t("reports.audience.definition")}</Text>
      {report && (
        <>
          <SimpleGrid cols={{ base: 1, md: reports.length }}>
            {reports.map(({ name, report: r }, i) => (
              <Card withBorder key={name}>
                <Title order={4}>{name}</Title>
                <Text size="xl" fw={700} data-testid={`audience-contacts-${i}`}>{t("reports.audience.contacts_count", { count: r.contacts, formatted: formatNumber(r.contacts) })}</Text>
                <Text fw={600} mt="sm">{t("reports.audience.opt_ins")}</Text>
                <OptIns report={r} testId={i ? "audience-opt-in-compared" : "audience-opt-in"} />
              </Card>
            ))}
          </SimpleGrid>
          <Card withBorder>
            <Group justify="space-between" mb="xs">
              <Title order={4}>{t("reports.audience.distributions")}</Title>
              <Select
                label={t("reports.audience.dimension")}
                data={DIMENSIONS.map((d) => ({ value: d, label: t(`reports.audience.dimensions.${d}`) }))}
                value={dimension}
                onChange={(v) => v && setDimension(v)}
                allowDeselect={false}
                w={220}
                data-testid="audience-dimension"
              />
            </Group>
            <Distribution reports={reports} dimension={dimension} />
          </Card>
          <Card withBorder>
            <Title order={4} mb="xs">{t("reports.audience.completeness")}</Title>
            <Text size="xs" c="dimmed" mb="xs">{t("reports.audience.completeness_definition")}</Text>
            <Table striped data-testid="audience-completeness">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("reports.audience.field")}</Table.Th>
                  <Table.Th ta="right">{t("reports.audience.filled")}</Table.Th>
                  <Table.Th ta="right">{t("reports.audience.share")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.completeness.map((c) => (
                  <Table.Tr key={c.field} data-testid={`audience-completeness-${c.field}`}>
                    <Table.Td>{c.custom ? c.label : t(`fields.${c.field === "account_id" ? "company" : c.field}`)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(c.filled)}</Table.Td>
                    <Table.Td ta="right"><Rate value={c.share} /></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
          <Card withBorder>
            <Title order={4} mb="xs">{t("reports.audience.growth")}</Title>
            <Text size="xs" c="dimmed" mb="xs">{t("reports.audience.growth_definition")}</Text>
            <div role="img" aria-label={t("reports.audience.growth_chart")}>
              <BarChart
                h={220}
                data={report.growth.map((g) => ({ ...g, month: dayjs(`${g.month}-01`).format("MMM YYYY") }))}
                dataKey="month"
                withLegend
                series={[
                  { name: "new", label: t("reports.audience.new"), color: "teal.7" },
                  { name: "unsubscribed", label: t("reports.audience.unsubscribed"), color: "orange.7" },
                  { name: "erased", label: t("reports.audience.erased"), color: "gray.6" },
                ]}
              />
            </div>
            <Table striped data-testid="audience-growth">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("reports.audience.month")}</Table.Th>
                  <Table.Th ta="right">{t("reports.audience.new")}</Table.Th>
                  <Table.Th ta="right">{t("reports.audience.unsubscribed")}</Table.Th>
                  <Table.Th ta="right">{t("reports.audience.erased")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.growth.map((g) => (
                  <Table.Tr key={g.month}>
                    <Table.Td>{dayjs(`${g.month}-01`).format("MMM YYYY")}</Table.Td>
                    <Table.Td ta="right">{formatNumber(g.new)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(g.unsubscribed)}</Table.Td>
                    <Table.Td ta="right">{formatNumber(g.erased)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        </>
      )}
    </Stack>
  );
}
