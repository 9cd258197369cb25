import { BarChart } from "@mantine/charts";
import { ActionIcon, Alert, Button, Card, FileButton, Group, NumberInput, Select, Stack, Table, Text, TextInput, Title, VisuallyHidden } from "@mantine/core";
import { MonthPickerInput } from "@mantine/dates";
import { notifications } from "@mantine/notifications";
import { IconTrash, IconUpload } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import dayjs from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { addSpend, deleteSpend, importSpend, keys, useSpend, useSpendSummary } from "../../api/queries/spend";
import { confirmDanger } from "../../components/confirm";
import { formatMoney } from "../../components/format";
import { FilterPane } from "./FilterPane";
import { ReportHeader } from "./ReportHeader";
import { useReportFilters } from "./filters";

const CHANNELS = ["email", "paid_search", "social", "display", "events", "content", "print", "partners", "other"] as const;
const COLORS = ["indigo.6", "teal.7", "orange.7", "grape.6", "cyan.7", "pink.6", "lime.8", "yellow.8", "gray.6"];

function useChannelName() {
  const { t } = useTranslation();
  // A channel entered through a CSV keeps its own name.
  return (channel: string) => ((CHANNELS as readonly string[]).includes(channel) ? t(`reports.spend.channels.${channel}`) : channel);
}

function AddSpend({ onAdded }: { onAdded: () => void }) {
  const { t } = useTranslation();
  const channelName = useChannelName();
  const [month, setMonth] = useState<string | null>(dayjs().startOf("month").format("YYYY-MM-DD"));
  const [channel, setChannel] = useState<string | null>(null);
  const [amount, setAmount] = useState<number | string>("");
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async () => {
    const found: Record<string, string> = {};
    if (!month) found.month = t("reports.spend.month_required");
    if (!channel) found.channel = t("reports.spend.channel_required");
    if (typeof amount !== "number" || amount < 0) found.amount = t("reports.spend.amount_required");
    setErrors(found);
    if (Object.keys(found).length) return;
    try {
      await addSpend({ month: dayjs(month).format("YYYY-MM"), channel: channel!, amount: amount as number, note });
      setAmount("");
      setNote("");
      onAdded();
      notifications.show({ color: "green", message: t("reports.spend.added") });
    } catch (error) {
      const field = error instanceof ApiError ? error.field : null;
      setErrors({ [field ?? "amount"]: (error as Error).message });
    }
  };
  return (
    <Card withBorder>
      <Title order={4} mb="xs">{t("reports.spend.add_title")}</Title>
      <Group align="start" wrap="wrap">
        <MonthPickerInput label={t("reports.spend.month")} value={month} onChange={setMonth} error={errors.month} w={160} data-testid="spend-month" />
        <Select
          label={t("reports.spend.channel")}
          data={CHANNELS.map((c) => ({ value: c, label: channelName(c) }))}
          value={channel}
          onChange={setChannel}
          error={errors.channel}
          w={200}
          data-testid="spend-channel"
        />
        <NumberInput label={t("reports.spend.amount")} value={amount} onChange={setAmount} min={0} decimalScale={2} error={errors.amount} w={160} data-testid="spend-amount" />
        <TextInput label={t("reports.spend.note")} value={note} onChange={(e) => setNote(e.currentTarget.value)} maxLength={300} w={240} data-testid="spend-note" />
        <Button mt={25} onClick={() => void submit()} data-testid="spend-add">{t("reports.spend.add")}</Button>
      </Group>
    </Card>
  );
}

/** Marketing spend per month and channel: entered here or imported from a CSV; the ROI report's
 * marketing cost and a cohort's acquisition cost read it. */
export function SpendPage() {
  const { t } = useTranslation();
  const channelName = useChannelName();
  const queries = useQueryClient();
  const { filters } = useReportFilters();
  const [first, last] = [filters.from.slice(0, 7), filters.to.slice(0, 7)];
  const entries = useSpend(first, last);
  const summary = useSpendSummary(first, last);
  const [importError, setImportError] = useState<string | null>(null);
  const refresh = () => void queries.invalidateQueries({ queryKey: keys.all });
  const onFile = async (file: File | null) => {
    if (!file) return;
    setImportError(null);
    try {
      const { added } = await importSpend(await file.text());
      notifications.show({ color: "green", message: t("reports.spend.imported", { count: added }) });
      refresh();
    } catch (error) {
      setImportError((error as Error).message);
    }
  };
  const channels = Object.keys(summary.data?.by_channel ?? {});
  const bars = (summary.data?.months ?? []).map((m) => ({ month: dayjs(`${m.month}-01`).format("MMM YYYY"), ...m.by_channel }));
  return (
    <Stack data-testid="report-spend">
      <ReportHeader page="spend">
        <FileButton onChange={(file) => void onFile(file)} accept=".csv,text/csv">
          {(props) => (
            <Button {...props} variant="default" size="xs" leftSection={<IconUpload size={14} />} data-testid="spend-import">
              {t("reports.spend.import")}
            </Button>
          )}
        </FileButton>
      </ReportHeader>
      <FilterPane show={[]} />
      <Text size="sm" c="dimmed">{t("reports.spend.definition")}</Text>
      {importError && <Alert color="red" title={t("reports.spend.import_failed")} data-testid="spend-import-error">{importError}</Alert>}
      <AddSpend onAdded={refresh} />
      <Card withBorder>
        <Group justify="space-between" mb="xs">
          <Title order={4}>{t("reports.spend.by_month")}</Title>
          <Text fw={600} data-testid="spend-total">{t("reports.spend.total", { amount: formatMoney(summary.data?.total ?? 0) })}</Text>
        </Group>
        {bars.length === 0 ? (
          <Text c="dimmed" data-testid="spend-empty">{t("reports.spend.empty")}</Text>
        ) : (
          <div role="img" aria-label={t("reports.spend.chart_label")}>
            <BarChart
              h={240}
              data={bars}
              dataKey="month"
              type="stacked"
              withLegend
              valueFormatter={formatMoney}
              series={channels.map((c, i) => ({ name: c, label: channelName(c), color: COLORS[i % COLORS.length] }))}
            />
          </div>
        )}
      </Card>
      <Card withBorder>
        <Title order={4} mb="xs">{t("reports.spend.entries")}</Title>
        <Table striped data-testid="spend-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("reports.spend.month")}</Table.Th>
              <Table.Th>{t("reports.spend.channel")}</Table.Th>
              <Table.Th ta="right">{t("reports.spend.amount")}</Table.Th>
              <Table.Th>{t("reports.spend.note")}</Table.Th>
              <Table.Th>{t("reports.spend.entered_by")}</Table.Th>
              <Table.Th><VisuallyHidden>{t("reports.spend.actions")}</VisuallyHidden></Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(entries.data?.items ?? []).map((entry) => (
              <Table.Tr key={entry.id} data-testid={`spend-row-${entry.id}`}>
                <Table.Td>{dayjs(`${entry.month}-01`).format("MMMM YYYY")}</Table.Td>
                <Table.Td>{channelName(entry.channel)}</Table.Td>
                <Table.Td ta="right">{formatMoney(entry.amount)}</Table.Td>
                <Table.Td>{entry.note}</Table.Td>
                <Table.Td>{entry.created_by}</Table.Td>
                <Table.Td>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t("reports.spend.delete", { month: entry.month, channel: channelName(entry.channel) })}
                    data-testid={`spend-delete-${entry.id}`}
                    onClick={() =>
                      confirmDanger({
                        title: t("reports.spend.delete_title"),
                        message: t("reports.spend.delete_message", { amount: formatMoney(entry.amount), month: entry.month, channel: channelName(entry.channel) }),
                        confirm: t("reports.spend.delete_confirm"),
                        testId: "spend-delete-confirm",
                        onConfirm: async () => {
                          await deleteSpend(entry.id);
                          refresh();
                        },
                      })
                    }
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}
