import { Badge, Button, Card, Group, NumberInput, Select, Stack, TextInput, Title } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatMoney } from "../../components/format";
import { addCost, COST_CATEGORIES, keys, removeCost, useCosts, useEventStats, type CostIn } from "../../api/queries/events";
import { MoneyFigures } from "./MoneyFigures";
import { useSubmitForm } from "./useSubmitForm";

const EMPTY: CostIn = { category: "venue", label: "", amount: 0 };

/** Money at a glance (budget, costs, revenue, what is left) and the cost lines. */
export function BudgetTab({ eventId }: { eventId: number }) {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const costs = useCosts(eventId);
  const stats = useEventStats(eventId);
  const [line, setLine] = useState<CostIn>(EMPTY);
  const [amount, setAmount] = useState<string | number>("");
  const { sending, fieldError, otherError, setError, submitWith } = useSubmitForm(["category", "label", "amount"]);

  function refresh() {
    void queries.invalidateQueries({ queryKey: keys.costs(eventId) });
    void queries.invalidateQueries({ queryKey: keys.stats(eventId) });
  }

  const add = submitWith(async () => {
    await addCost(eventId, { ...line, label: line.label.trim(), amount: Number(amount) });
    setLine(EMPTY);
    setAmount("");
    refresh();
  });

  async function remove(costId: number) {
    try {
      await removeCost(eventId, costId);
      refresh();
    } catch (caught) {
      setError(caught as Error);
    }
  }

  const s = stats.data;
  return (
    <Stack>
      <ErrorAlert error={stats.error} />
      {s && <MoneyFigures stats={s} testPrefix="budget" />}
      {canWrite && (
        <Card withBorder>
          <form onSubmit={(e) => void add(e)}>
            <Stack gap="xs">
              <Title order={5}>{t("events.budget_tab.add_title")}</Title>
              <Group grow align="flex-start">
                <Select label={t("events.budget_tab.category")} allowDeselect={false} value={line.category} error={fieldError("category")}
                  data={COST_CATEGORIES.map((c) => ({ value: c, label: t(`events.budget_tab.categories.${c}`) }))}
                  onChange={(v) => v && setLine({ ...line, category: v as CostIn["category"] })} data-testid="cost-category" />
                <TextInput label={t("events.budget_tab.label")} required value={line.label} error={fieldError("label")}
                  onChange={(e) => setLine({ ...line, label: e.currentTarget.value })} data-testid="cost-label" />
                <NumberInput label={t("events.budget_tab.amount")} required min={0} decimalScale={2} allowNegative={false} prefix="€ "
                  value={amount} error={fieldError("amount")} onChange={setAmount} data-testid="cost-amount" />
              </Group>
              <Group>
                <Button type="submit" loading={sending} leftSection={<IconPlus size={16} />} disabled={amount === ""} data-testid="cost-add">
                  {t("events.budget_tab.add")}
                </Button>
              </Group>
              {otherError && <ErrorAlert error={otherError} testId="cost-error" />}
            </Stack>
          </form>
        </Card>
      )}
      <DataTable
        testId="costs-table"
        rows={costs.data}
        rowKey={(c) => c.id}
        rowProps={(c) => ({ "data-testid": `cost-row-${c.id}` })}
        loading={costs.isLoading}
        error={costs.error}
        highlightOnHover={false}
        empty={{ testId: "costs-empty", message: t("events.budget_tab.empty") }}
        columns={[
          { key: "category", header: t("events.budget_tab.category"), sortValue: (c) => c.category,
            render: (c) => <Badge variant="light">{t(`events.budget_tab.categories.${c.category}`, { defaultValue: c.category })}</Badge> },
          { key: "label", header: t("events.budget_tab.label"), sortValue: (c) => c.label,
            render: (c) => <span data-testid="cost-row-label">{c.label}</span> },
          { key: "amount", header: t("events.budget_tab.amount"), align: "right", sortValue: (c) => c.amount,
            render: (c) => <span data-testid="cost-row-amount">{formatMoney(c.amount)}</span> },
        ]}
        actions={canWrite ? [{
          key: "remove", label: t("events.budget_tab.remove"), icon: <IconTrash size={16} />, color: "red", testId: "cost-remove",
          onClick: (c) => remove(c.id),
        }] : []}
      />
    </Stack>
  );
}
