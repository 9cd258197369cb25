import { BarChart } from "@mantine/charts";
import { Card, Group, SegmentedControl, Stack, Table, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useProductsReport, type ProductsReport } from "../../api/queries/reports_customers";
import { formatMoney, formatNumber } from "../../components/format";
import { CsvButton } from "./CsvButton";
import { AsOf, Money, Rate } from "./customerParts";
import { FilterPane } from "./FilterPane";
import { ReportHeader } from "./ReportHeader";
import { useReportFilters } from "./filters";

type Line = ProductsReport["products"][number];
type Starter = ProductsReport["starters"][number];

function Lines({ lines, testId }: { lines: Line[]; testId: string }) {
  const { t } = useTranslation();
  const name = (n: string | null | undefined) => n ?? t("reports.products.unnamed");
  return (
    <>
      <div role="img" aria-label={t("reports.products.revenue_chart")}>
        <BarChart h={200} data={lines.slice(0, 12).map((l) => ({ name: name(l.name), revenue: l.revenue }))} dataKey="name" valueFormatter={formatMoney}
          series={[{ name: "revenue", label: t("reports.products.revenue"), color: "indigo.6" }]} />
      </div>
      <Table striped data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("reports.products.name")}</Table.Th>
            <Table.Th ta="right">{t("reports.products.revenue")}</Table.Th>
            <Table.Th ta="right">{t("reports.products.orders")}</Table.Th>
            <Table.Th ta="right">{t("reports.products.buyers")}</Table.Th>
            <Table.Th ta="right">{t("reports.products.average_basket")}</Table.Th>
            <Table.Th ta="right">{t("reports.products.repeat_rate")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {lines.map((l) => (
            <Table.Tr key={String(l.name)} data-testid={`${testId}-${l.name ?? "none"}`}>
              <Table.Td>{name(l.name)}</Table.Td>
              <Table.Td ta="right">{formatMoney(l.revenue)}</Table.Td>
              <Table.Td ta="right">{formatNumber(l.orders)}</Table.Td>
              <Table.Td ta="right">{formatNumber(l.buyers)}</Table.Td>
              <Table.Td ta="right"><Money value={l.average_basket} reason={t("reports.customers.no_rate")} /></Table.Td>
              <Table.Td ta="right"><Rate value={l.repeat_rate} /></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}

function Starters({ starters, testId }: { starters: Starter[]; testId: string }) {
  const { t } = useTranslation();
  return (
    <Table striped data-testid={testId}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("reports.products.started_with")}</Table.Th>
          <Table.Th ta="right">{t("reports.products.first_buyers")}</Table.Th>
          <Table.Th ta="right">{t("reports.products.first_revenue")}</Table.Th>
          <Table.Th ta="right">{t("reports.products.cumulated_revenue")}</Table.Th>
          <Table.Th ta="right">{t("reports.products.per_customer")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {starters.map((s) => (
          <Table.Tr key={String(s.name)} data-testid={`${testId}-${s.name ?? "none"}`}>
            <Table.Td>{s.name ?? t("reports.products.unnamed")}</Table.Td>
            <Table.Td ta="right">{formatNumber(s.customers)}</Table.Td>
            <Table.Td ta="right">{formatMoney(s.first_revenue)}</Table.Td>
            <Table.Td ta="right">{formatMoney(s.revenue)}</Table.Td>
            <Table.Td ta="right" data-testid={`${testId}-${s.name ?? "none"}-per-customer`}><Money value={s.revenue_per_customer} reason={t("reports.customers.no_rate")} /></Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** How products and categories sell over the period, and what first-time buyers started with. */
export function ProductsPage() {
  const { t } = useTranslation();
  const { filters } = useReportFilters();
  const [by, setBy] = useState<"product" | "category">("product");
  const report = useProductsReport(filters).data;
  return (
    <Stack data-testid="report-products">
      <ReportHeader page="products">
        <CsvButton path="/api/reports/products" filters={filters} testId="products-csv" />
      </ReportHeader>
      <FilterPane show={["segment"]} />
      <Group>
        <SegmentedControl value={by} onChange={(v) => setBy(v as "product" | "category")} aria-label={t("reports.products.by")}
          data={[{ value: "product", label: t("reports.products.by_product") }, { value: "category", label: t("reports.products.by_category") }]}
          data-testid="products-by" />
        <AsOf at={report?.as_of} />
      </Group>
      <Text size="sm" c="dimmed">{t("reports.products.definition")}</Text>
      {report && (
        <>
          <Card withBorder>
            <Title order={4} mb="xs">{by === "product" ? t("reports.products.products") : t("reports.products.categories")}</Title>
            <Lines lines={by === "product" ? report.products : report.categories} testId="products-lines" />
          </Card>
          <Card withBorder>
            <Title order={4} mb="xs">{t("reports.products.starters")}</Title>
            <Text size="xs" c="dimmed" mb="xs">{t("reports.products.starters_definition")}</Text>
            <Starters starters={by === "product" ? report.starters : report.starter_categories} testId="products-starters" />
          </Card>
        </>
      )}
    </Stack>
  );
}
