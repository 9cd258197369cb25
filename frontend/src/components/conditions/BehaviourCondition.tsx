import { ActionIcon, Group, Loader, NumberInput, Paper, SegmentedControl, Stack, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { BuilderCondition } from "../../api/client";
import { conditionField, getField, isBackfilling, keys as behaviourKeys, useConditionFields, type BehaviourCondition } from "../../api/queries/behaviour";
import { keys as ruleKeys } from "../../api/queries/rules";
import { InteractionChooser } from "./InteractionChooser";

/** The rule fields the builder's behavioural conditions count with (the marketer never sees them as fields). */
export const BEHAVIOUR_PREFIX = "computed_did_";
export const isBehaviour = (condition: BuilderCondition) => condition.field.startsWith(BEHAVIOUR_PREFIX);

export const FIRST_BEHAVIOUR: BehaviourCondition = { interaction_type: "email_clicked", filter: null, window_days: 30 };

// How long the builder waits for a new count to reach every contact before it lets the condition be
// counted anyway (the count then grows as the job goes on).
const BACKFILL_PATIENCE_MS = 120_000;

/** The count behind a behavioural condition, made (or found) on the server, once it has been
 * counted for every contact (a new one is filled by a job: a segment counted before the job ends
 * would count nobody); the rule fields are read again so that the builder knows it. Returns the
 * condition "did it at least `times` times". */
export function useBehaviourField() {
  const queries = useQueryClient();
  return async (what: BehaviourCondition, times: number, done: boolean): Promise<BuilderCondition> => {
    let field = await conditionField(what);
    const until = Date.now() + BACKFILL_PATIENCE_MS;
    while (isBackfilling(field) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      field = await getField(field.id);
    }
    await Promise.all([
      queries.invalidateQueries({ queryKey: ruleKeys.fields("contact") }),
      queries.invalidateQueries({ queryKey: behaviourKeys.conditions }),
    ]);
    return { field: field.field, operator: done ? "gte" : "lt", value: times };
  };
}

/** "has / has not done <interaction> [of …] at least N times in the last D days". */
export function BehaviourConditionRow({ condition, onChange, onRemove, testId, readOnly }: {
  condition: BuilderCondition;
  onChange: (next: BuilderCondition) => void;
  onRemove: () => void;
  testId: string;
  readOnly?: boolean;
}) {
  const known = useConditionFields();
  const definition = known.data?.find((f) => f.field === condition.field);
  if (!definition) return <Text size="sm" c="dimmed" data-testid={testId}>…</Text>;
  const saved: BehaviourCondition = { interaction_type: definition.interaction_type, filter: definition.filter, window_days: definition.window_days };
  return <Editor key={condition.field} saved={saved} condition={condition} onChange={onChange} onRemove={onRemove} testId={testId} readOnly={readOnly} />;
}

const same = (a: BehaviourCondition, b: BehaviourCondition) =>
  a.interaction_type === b.interaction_type && (a.filter ?? null) === (b.filter ?? null) && (a.window_days ?? null) === (b.window_days ?? null);

function Editor({ saved, condition, onChange, onRemove, testId, readOnly }: {
  saved: BehaviourCondition;
  condition: BuilderCondition;
  onChange: (next: BuilderCondition) => void;
  onRemove: () => void;
  testId: string;
  readOnly?: boolean;
}) {
  const { t } = useTranslation();
  const make = useBehaviourField();
  const [busy, setBusy] = useState(false);
  // What the marketer is typing: the count behind it is made once they pause, not at each key.
  const [what, setWhat] = useState<BehaviourCondition>(saved);
  const [settled] = useDebouncedValue(what, 600);
  const done = condition.operator !== "lt";
  const times = typeof condition.value === "number" ? condition.value : 1;

  useEffect(() => {
    if (same(settled, saved) || !settled.interaction_type) return;
    let live = true;
    setBusy(true);
    make(settled, times, done)
      .then((next) => live && onChange(next))
      .catch((error: Error) => notifications.show({ color: "red", message: error.message }))
      .finally(() => live && setBusy(false));
    return () => {
      live = false;
    };
    // Only a settled change of what is counted makes a new count.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [settled]);
  const change = (next: BehaviourCondition) => setWhat(next);

  return (
    <Paper withBorder p="xs" data-testid={testId} data-behaviour="yes" data-complete={busy || !same(what, saved) ? "no" : "yes"} aria-busy={busy}>
      <Stack gap="xs">
        <Group gap="xs" align="flex-end" wrap="wrap">
          <SegmentedControl size="xs" disabled={readOnly} data-testid={`${testId}-done`} value={done ? "has" : "has_not"}
            data={[{ value: "has", label: t("behaviour.has_done") }, { value: "has_not", label: t("behaviour.has_not_done") }]}
            onChange={(v) => onChange({ ...condition, operator: v === "has" ? "gte" : "lt" })} />
          <InteractionChooser testId={`${testId}-interaction`} disabled={readOnly} interactionType={what.interaction_type}
            filter={what.filter ?? null} onChange={(interaction_type, filter) => change({ ...what, interaction_type, filter })} />
        </Group>
        {busy && (
          <Group gap="xs" data-testid={`${testId}-counting`}>
            <Loader size="xs" />
            <Text size="sm">{t("behaviour.counting_past")}</Text>
          </Group>
        )}
        <Group gap="xs" align="center">
          <Text size="sm">{t("behaviour.at_least")}</Text>
          <NumberInput size="xs" w={90} min={1} max={100000} allowDecimal={false} disabled={readOnly} aria-label={t("behaviour.times")}
            data-testid={`${testId}-times`} value={times} onChange={(v) => onChange({ ...condition, value: v === "" ? 1 : Math.max(1, Number(v)) })} />
          <Text size="sm">{t("behaviour.times")}</Text>
          <SegmentedControl size="xs" disabled={readOnly} data-testid={`${testId}-window-mode`} value={what.window_days ? "days" : "all"}
            data={[{ value: "days", label: t("behaviour.in_the_last") }, { value: "all", label: t("behaviour.ever") }]}
            onChange={(mode) => change({ ...what, window_days: mode === "all" ? null : 30 })} />
          {what.window_days != null && (
            <NumberInput size="xs" w={120} min={1} max={3650} allowDecimal={false} disabled={readOnly} aria-label={t("behaviour.days")}
              suffix={` ${t("behaviour.days")}`} data-testid={`${testId}-days`} value={what.window_days}
              onChange={(v) => change({ ...what, window_days: Math.max(1, Math.min(3650, Number(v) || 1)) })} />
          )}
          {!readOnly && (
            <Tooltip label={t("segments.remove_condition")}>
              <ActionIcon variant="subtle" color="red" onClick={onRemove} aria-label={t("segments.remove_condition")} data-testid={`${testId}-remove`}>
                <IconTrash size={16} />
              </ActionIcon>
            </Tooltip>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}
