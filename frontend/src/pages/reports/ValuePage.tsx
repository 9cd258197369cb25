import { BarChart, LineChart } from "@mantine/charts";
import { Card, Group, SegmentedControl, Select, Stack, Table, Text, Title } from "@mantine/core";
import dayjs from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useCohortsReport, useRfmReport, type CohortBasis } from "../../api/queries/reports_customers";
import { formatMoney, formatNumber } from "../../components/format";
import { CsvButton } from "./CsvButton";
import { AsOf, heat, Money, Rate, SegmentFromThis } from "./customerParts";
import { FilterPane } from "./FilterPane";
import { ReportHeader } from "./ReportHeader";
import { useReportFilters, type ReportFilters } from "./filters";

const monthName = (month: string) => dayjs(`${month}-01`).format("MMM YYYY");

function RfmSection({ filters }: { filters: ReportFilters }) {
  const { t } = useTranslation();
  const report = useRfmReport(filters).data;
  if (!report) return null;
  const maxCell = Math.max(0, ...report.grid.map((c) => c.contacts));
  const cell = (r: number, f: number) => report.grid.find((c) => c.recency === r && c.frequency === f)?.contacts ?? 0;
  return (
    <>
      <Card withBorder>
        <Group justify="space-between" mb="xs">
          <Title order={4}>{t("reports.value.rfm_groups")}</Title>
          <Group gap="xs">
            <AsOf at={report.as_of} />
            <CsvButton path="/api/reports/rfm" filters={filters} testId="rfm-csv" />
          </Group>
        </Group>
        {report.period_days !== null && (
          <Text size="xs" c="dimmed" data-testid="rfm-period">{t("reports.value.rfm_period", { days: report.period_days })}</Text>
        )}
        <Text size="xs" c="dimmed" mb="xs">
          {report.compared_with ? t("reports.value.moves_since", { month: monthName(report.compared_with) }) : t("reports.value.no_previous_month")}
        </Text>
        <Table striped data-testid="rfm-groups">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("reports.value.group")}</Table.Th>
              <Table.Th ta="right">{t("reports.value.contacts")}</Table.Th>
              <Table.Th ta="right">{t("reports.value.revenue")}</Table.Th>
              <Table.Th ta="right">{t("reports.value.share_of_revenue")}</Table.Th>
              <Table.Th ta="right">{t("reports.value.moved_in")}</Table.Th>
              <Table.Th ta="right">{t("reports.value.moved_out")}</Table.Th>
              <Table.Th>{t("reports.value.actions")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.groups.map((g) => (
              <Table.Tr key={g.group} data-testid={`rfm-group-${g.group}`}>
                <Table.Td>{t(`rfm.groups.${g.group}`)}</Table.Td>
                <Table.Td ta="right" data-testid={`rfm-group-${g.group}-contacts`}>{formatNumber(g.contacts)}</Table.Td>
                <Table.Td ta="right" data-testid={`rfm-group-${g.group}-revenue`}>{formatMoney(g.revenue)}</Table.Td>
                <Table.Td ta="right"><Rate value={g.share_of_revenue} /></Table.Td>
                <Table.Td ta="right">{formatNumber(g.moved_in)}</Table.Td>
                <Table.Td ta="right">{formatNumber(g.moved_out)}</Table.Td>
                <Table.Td>
                  <SegmentFromThis name={t("reports.value.segment_name", { group: t(`rfm.groups.${g.group}`) })} rule={`rfm_segment == "${g.group}"`} testId={`rfm-group-${g.group}-segment`} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <Group align="start" grow>
        <Card withBorder>
          <Title order={4} mb="xs">{t("reports.value.grid")}</Title>
          <Table withTableBorder data-testid="rfm-grid" aria-label={t("reports.value.grid")}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("reports.value.recency_frequency")}</Table.Th>
                {[1, 2, 3, 4, 5].map((f) => <Table.Th key={f} ta="right">{t("reports.value.f_score", { score: f })}</Table.Th>)}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[5, 4, 3, 2, 1].map((r) => (
                <Table.Tr key={r}>
                  <Table.Th>{t("reports.value.r_score", { score: r })}</Table.Th>
                  {[1, 2, 3, 4, 5].map((f) => (
                    <Table.Td key={f} style={heat(cell(r, f), maxCell)} data-testid={`rfm-cell-${r}-${f}`}>{formatNumber(cell(r, f))}</Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
        <Card withBorder>
          <Title order={4} mb="xs">{t("reports.value.churn")}</Title>
          <Text size="xs" c="dimmed" mb="xs">{t("reports.value.churn_definition")}</Text>
          <div role="img" aria-label={t("reports.value.churn_chart")}>
            <BarChart h={180} data={report.churn.map((c) => ({ ...c, bucket: t(`reports.value.buckets.${c.bucket.replace("+", "_plus").replace("-", "_")}`) }))}
              dataKey="bucket" series={[{ name: "customers", label: t("reports.value.customers"), color: "orange.7" }]} />
          </div>
          <Table striped data-testid="rfm-churn">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("reports.value.last_purchase")}</Table.Th>
                <Table.Th ta="right">{t("reports.value.customers")}</Table.Th>
                <Table.Th ta="right">{t("reports.value.past_revenue")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.churn.map((c) => (
                <Table.Tr key={c.bucket}>
                  <Table.Td>{t(`reports.value.buckets.${c.bucket.replace("+", "_plus").replace("-", "_")}`)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(c.customers)}</Table.Td>
                  <Table.Td ta="right">{formatMoney(c.revenue)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      </Group>
    </>
  );
}

const COLORS = ["indigo.6", "teal.7", "orange.7", "grape.6", "cyan.7", "pink.6", "lime.8", "yellow.8", "gray.6", "red.7", "blue.8", "green.8"];

function CohortsSection({ filters }: { filters: ReportFilters }) {
  const { t } = useTranslation();
  const [basis, setBasis] = useState<CohortBasis>("first_purchase");
  const [months, setMonths] = useState("12");
  const report = useCohortsReport(filters, basis, Number(months)).data;
  if (!report) return null;
  const max = Math.max(0, ...report.rows.flatMap((r) => r.ltv.map((v) => v ?? 0)));
  const offsets = [...Array(report.months).keys()];
  const withCustomers = report.rows.filter((r) => r.customers > 0);
  const curves = offsets.map((n) => Object.fromEntries([["month", t("reports.value.month_n", { n })], ...withCustomers.map((r) => [r.month, r.ltv[n]])]));
  return (
    <Card withBorder data-testid="cohorts">
      <Group justify="space-between" mb="xs" align="end">
        <Title order={4}>{t("reports.value.cohorts")}</Title>
        <Group gap="xs" align="end">
          <SegmentedControl
            value={basis}
            onChange={(v) => setBasis(v as CohortBasis)}
            data={[
              { value: "first_purchase", label: t("reports.value.basis.first_purchase") },
              { value: "created", label: t("reports.value.basis.created") },
            ]}
            aria-label={t("reports.value.basis_label")}
            data-testid="cohorts-basis"
          />
          <Select label={t("reports.value.months")} data={["6", "12", "24"]} value={months} onChange={(v) => v && setMonths(v)} allowDeselect={false} w={90} data-testid="cohorts-months" />
          <CsvButton path="/api/reports/cohorts" filters={filters} extra={{ basis, months }} testId="cohorts-csv" />
        </Group>
      </Group>
      <Text size="xs" c="dimmed" mb="xs" data-testid="cohorts-definition">{t("reports.value.cohorts_definition")}</Text>
      <Table.ScrollContainer minWidth={800}>
        <Table withTableBorder data-testid="cohorts-table" aria-label={t("reports.value.ltv_heat_map")}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("reports.value.cohort")}</Table.Th>
              <Table.Th ta="right">{t("reports.value.size")}</Table.Th>
              <Table.Th ta="right">{t("reports.value.customers")}</Table.Th>
              <Table.Th ta="right">{t("reports.value.cac")}</Table.Th>
              <Table.Th ta="right">{t("reports.value.ltv_cac")}</Table.Th>
              {offsets.map((n) => <Table.Th key={n} ta="right">{t("reports.value.month_n", { n })}</Table.Th>)}
              {basis === "created" && <Table.Th>{t("reports.value.actions")}</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.rows.map((r) => (
              <Table.Tr key={r.month} data-testid={`cohort-${r.month}`}>
                <Table.Td>{monthName(r.month)}</Table.Td>
                <Table.Td ta="right">{formatNumber(r.size)}</Table.Td>
                <Table.Td ta="right">{formatNumber(r.customers)}</Table.Td>
                <Table.Td ta="right"><Money value={r.cac} reason={t("reports.value.no_cac")} testId={`cohort-${r.month}-cac`} /></Table.Td>
                <Table.Td ta="right" data-testid={`cohort-${r.month}-ltv-cac`}>{r.ltv_cac === null || r.ltv_cac === undefined ? "—" : formatNumber(r.ltv_cac, { maximumFractionDigits: 2 })}</Table.Td>
                {r.ltv.map((v, n) => (
                  <Table.Td key={n} style={v === null ? undefined : heat(v, max)} data-testid={`cohort-${r.month}-ltv-${n}`}>
                    <Money value={v} reason={t("reports.value.no_ltv")} />
                  </Table.Td>
                ))}
                {basis === "created" && (
                  <Table.Td>
                    <SegmentFromThis
                      name={t("reports.value.cohort_segment_name", { month: monthName(r.month) })}
                      rule={`created_at >= d"${r.month}-01T00:00:00+00:00" and created_at < d"${dayjs(`${r.month}-01`).add(1, "month").format("YYYY-MM")}-01T00:00:00+00:00"`}
                      testId={`cohort-${r.month}-segment`}
                    />
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {withCustomers.length > 0 && (
        <div role="img" aria-label={t("reports.value.ltv_curves")}>
          <LineChart h={260} mt="md" data={curves} dataKey="month" withLegend valueFormatter={formatMoney} connectNulls={false}
            series={withCustomers.map((r, i) => ({ name: r.month, label: monthName(r.month), color: COLORS[i % COLORS.length] }))} />
        </div>
      )}
    </Card>
  );
}

/** What customers are worth: RFM groups and their moves, the R×F grid, churn risk, cohorts with
 * their LTV by month and what they cost to acquire. */
export function ValuePage() {
  const { t } = useTranslation();
  const { filters } = useReportFilters();
  return (
    <Stack data-testid="report-value">
      <ReportHeader page="value" />
      <FilterPane show={["segment"]} />
      <Text size="sm" c="dimmed" data-testid="value-definitions">{t("reports.value.definition")}</Text>
      <RfmSection filters={filters} />
      <CohortsSection filters={filters} />
    </Stack>
  );
}
