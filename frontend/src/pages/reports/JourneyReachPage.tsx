import { BarChart } from "@mantine/charts";
import { Alert, Button, Group, Loader, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title, Tooltip, VisuallyHidden } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconSearch } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useJourneys } from "../../api/queries/journeys";
import { useJourneyReach, type JourneyReach } from "../../api/queries/reports_journeys";
import { formatNumber, formatTime } from "../../components/format";
import { useUrlParams } from "../../components/useUrlParams";
import { CsvButton } from "./CsvButton";
import { FilterPane } from "./FilterPane";
import { ReachPathDrawer } from "./ReachPathDrawer";
import { ReportHeader } from "./ReportHeader";
import { useReportFilters } from "./filters";

/** A share of a count, or "—" (with why) when there is nothing to divide by. */
export function Rate({ part, whole, over }: { part: number; whole: number; over: string }) {
  const { t } = useTranslation();
  if (!whole) return <Tooltip label={t("reports.rate_none", { over })}><span>—</span></Tooltip>;
  return <span title={t("reports.rate_over", { over })}>{formatNumber(part / whole, { style: "percent", maximumFractionDigits: 1 })}</span>;
}

function Funnel({ totals }: { totals: JourneyReach["totals"] }) {
  const { t } = useTranslation();
  const stages = ["entered", "delivered", "opened", "clicked", "converted"] as const;
  return (
    <Paper withBorder p="md">
      <Title order={4} id="reach-funnel-title">{t("reports.journey_reach.funnel")}</Title>
      <div role="img" aria-labelledby="reach-funnel-title" aria-describedby="reach-funnel-words">
        <BarChart h={220} orientation="vertical" dataKey="stage" yAxisProps={{ width: 120 }} data-testid="reach-funnel"
          data={stages.map((s) => ({ stage: t(`reports.journey_reach.${s}`), contacts: totals[s] }))}
          series={[{ name: "contacts", label: t("reports.journey_reach.contacts"), color: "indigo.6" }]} />
      </div>
      <Text size="xs" c="dimmed" id="reach-funnel-words" data-testid="reach-funnel-words">
        {stages.map((s) => `${t(`reports.journey_reach.${s}`)}: ${formatNumber(totals[s])}`).join(" · ")}
        {" · "}{t("reports.journey_reach.unsubscribed")}: {formatNumber(totals.unsubscribed)}
      </Text>
    </Paper>
  );
}

function EmailsTable({ totals }: { totals: JourneyReach["totals"] }) {
  const { t } = useTranslation();
  const delivered = t("reports.journey_reach.delivered").toLowerCase();
  return (
    <Table data-testid="reach-emails" striped>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("reports.journey_reach.email")}</Table.Th>
          <Table.Th ta="right">{t("reports.journey_reach.delivered")}</Table.Th>
          <Table.Th ta="right">{t("reports.journey_reach.opened")}</Table.Th>
          <Table.Th ta="right">{t("reports.journey_reach.open_rate")}</Table.Th>
          <Table.Th ta="right">{t("reports.journey_reach.clicked")}</Table.Th>
          <Table.Th ta="right">{t("reports.journey_reach.click_rate")}</Table.Th>
          <Table.Th ta="right">{t("reports.journey_reach.unsubscribed")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {totals.messages.map((m) => (
          <Table.Tr key={m.email_id} data-testid={`reach-email-${m.email_id}`}>
            <Table.Td>{m.name}</Table.Td>
            <Table.Td ta="right">{formatNumber(m.delivered)}</Table.Td>
            <Table.Td ta="right">{formatNumber(m.opened)}</Table.Td>
            <Table.Td ta="right"><Rate part={m.opened} whole={m.delivered} over={delivered} /></Table.Td>
            <Table.Td ta="right">{formatNumber(m.clicked)}</Table.Td>
            <Table.Td ta="right"><Rate part={m.clicked} whole={m.delivered} over={delivered} /></Table.Td>
            <Table.Td ta="right">{formatNumber(m.unsubscribed)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** /reports/journey-reach: who a journey reached, stage by stage, and each contact's path. */
export function JourneyReachPage() {
  const { t } = useTranslation();
  const { filters } = useReportFilters();
  const [params, update] = useUrlParams();
  const journeys = useJourneys();
  const picked = Number(params.get("journey")) || filters.journey_ids[0] || null;
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 300);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [open, setOpen] = useState<number | null>(null);
  const reach = useJourneyReach(picked, filters, q, cursors[cursors.length - 1]);
  const pick = (value: string | null) => {
    setCursors([null]);
    update({ journey: value });
  };
  const onSearch = (value: string) => { setSearch(value); setCursors([null]); };
  return (
    <Stack>
      <ReportHeader page="journey-reach">
        {picked && <CsvButton path="/api/reports/journey-reach" filters={filters} extra={{ journey_id: picked, ...(q ? { q } : {}) }} testId="reach-csv" />}
      </ReportHeader>
      <FilterPane show={[]} />
      <Group align="end" justify="space-between">
        <Select label={t("reports.journey_reach.journey")} placeholder={t("reports.journey_reach.pick")} searchable w={320}
          data={(journeys.data ?? []).map((j) => ({ value: String(j.id), label: j.name }))}
          value={picked ? String(picked) : null} onChange={pick} data-testid="reach-journey" />
        {reach.data && <Text size="xs" c="dimmed">{t("reports.as_of", { time: formatTime(reach.data.as_of) })}</Text>}
      </Group>
      {!picked ? <Text c="dimmed" data-testid="reach-none">{t("reports.journey_reach.pick_hint")}</Text> : reach.isPending ? <Loader /> : reach.isError ? (
        <Alert color="red">{reach.error.message}</Alert>
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <Funnel totals={reach.data.totals} />
            <Paper withBorder p="md"><Title order={4}>{t("reports.journey_reach.emails")}</Title><EmailsTable totals={reach.data.totals} /></Paper>
          </SimpleGrid>
          <Title order={4}>{t("reports.journey_reach.contacts_title", { count: reach.data.total })}</Title>
          <TextInput leftSection={<IconSearch size={14} />} label={t("reports.journey_reach.search")} placeholder={t("reports.journey_reach.search_hint")}
            value={search} onChange={(e) => onSearch(e.currentTarget.value)} data-testid="reach-search" w={360} />
          <Table data-testid="reach-table" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("reports.journey_reach.contact")}</Table.Th>
                <Table.Th ta="right">{t("reports.journey_reach.delivered")}</Table.Th>
                <Table.Th ta="right">{t("reports.journey_reach.opened")}</Table.Th>
                <Table.Th ta="right">{t("reports.journey_reach.clicked")}</Table.Th>
                <Table.Th>{t("reports.journey_reach.converted")}</Table.Th>
                <Table.Th ta="right">{t("reports.journey_reach.unsubscribed")}</Table.Th>
                <Table.Th>{t("reports.journey_reach.emails")}</Table.Th>
                <Table.Th><VisuallyHidden>{t("reports.journey_reach.path")}</VisuallyHidden></Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {reach.data.items.map((item) => (
                <Table.Tr key={item.contact_id} data-testid={`reach-row-${item.contact_id}`}>
                  <Table.Td><Text size="sm" fw={500}>{item.name || item.email}</Text><Text size="xs" c="dimmed">{item.email}</Text></Table.Td>
                  <Table.Td ta="right">{item.delivered}</Table.Td>
                  <Table.Td ta="right">{item.opened}</Table.Td>
                  <Table.Td ta="right">{item.clicked}</Table.Td>
                  <Table.Td>{item.converted ? t("reports.journey_reach.yes") : t("reports.journey_reach.no")}</Table.Td>
                  <Table.Td ta="right">{item.unsubscribed}</Table.Td>
                  <Table.Td><Text size="xs">{item.messages.map((m) => m.name).join(", ")}</Text></Table.Td>
                  <Table.Td>
                    <Button size="xs" variant="subtle" onClick={() => setOpen(item.contact_id)} data-testid={`reach-open-${item.contact_id}`}
                      aria-label={t("reports.journey_reach.path_of", { name: item.name || item.email })}>
                      {t("reports.journey_reach.path")}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {reach.data.items.length === 0 && <Text c="dimmed" data-testid="reach-empty">{t("reports.journey_reach.empty")}</Text>}
          <Group>
            <Button variant="default" size="xs" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))} data-testid="reach-previous">{t("reports.journey_reach.previous")}</Button>
            <Button variant="default" size="xs" disabled={!reach.data.next_cursor} onClick={() => setCursors((c) => [...c, reach.data.next_cursor])} data-testid="reach-next">{t("reports.journey_reach.next")}</Button>
          </Group>
          <ReachPathDrawer journeyId={picked} contactId={open} onClose={() => setOpen(null)} />
        </>
      )}
    </Stack>
  );
}
