import { ActionIcon, Autocomplete, Badge, Group, NumberInput, Paper, Stack, Text, TextInput, Tooltip } from "@mantine/core";
import { IconTrash } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { AttributeRuleInput } from "./AttributeRuleInput";
import { COMMON_INTERACTIONS } from "./model";
import type { InteractionRule, ScoringRule } from "../../api/queries/scoring";

type Props = {
  rule: ScoringRule;
  index: number;
  onChange: (rule: ScoringRule) => void;
  onRemove: () => void;
  errorOf: (field: string) => string | undefined;
};

const numberOrNull = (v: number | string) => (typeof v === "number" ? v : v === "" ? null : Number.NaN);

function InteractionFields({ rule, index, onChange, errorOf }: Omit<Props, "onRemove" | "rule"> & { rule: InteractionRule }) {
  const { t } = useTranslation();
  const at = `rules[${index}]`;
  const testId = `scoring-rule-${index}`;
  return (
    <Stack gap="xs">
      <Group grow align="flex-start">
        <Autocomplete
          label={t("scoring.interaction_type")}
          placeholder={t("scoring.interaction_type_hint")}
          data={[...COMMON_INTERACTIONS]}
          value={rule.interaction_type}
          error={errorOf(`${at}.interaction_type`)}
          renderOption={({ option }) => (
            <Group gap="xs" justify="space-between" w="100%">
              <Text size="sm">{t(`interactions.${option.value}`, { defaultValue: option.value })}</Text>
              <Text size="xs" c="dimmed" ff="monospace">{option.value}</Text>
            </Group>
          )}
          onChange={(v) => onChange({ ...rule, interaction_type: v.trim() })}
          data-testid={`${testId}-type`}
        />
        <TextInput
          label={t("scoring.filter")}
          placeholder={t("scoring.filter_hint")}
          styles={{ input: { fontFamily: "monospace" } }}
          value={rule.filter ?? ""}
          error={errorOf(`${at}.filter`)}
          onChange={(e) => onChange({ ...rule, filter: e.currentTarget.value || null })}
          data-testid={`${testId}-filter`}
        />
      </Group>
      <Group align="flex-start" gap="md">
        <NumberInput
          w={160}
          label={t("scoring.cap")}
          placeholder={t("scoring.cap_hint")}
          min={1}
          allowDecimal={false}
          allowNegative={false}
          value={rule.cap ?? ""}
          error={errorOf(`${at}.cap`)}
          onChange={(v) => onChange({ ...rule, cap: numberOrNull(v) })}
          data-testid={`${testId}-cap`}
        />
        <NumberInput
          w={160}
          label={t("scoring.cap_days")}
          placeholder={t("scoring.cap_days_hint")}
          min={1}
          allowDecimal={false}
          allowNegative={false}
          suffix={` ${t("segments.days")}`}
          value={rule.cap_days ?? ""}
          error={errorOf(`${at}.cap_days`)}
          onChange={(v) => onChange({ ...rule, cap_days: numberOrNull(v) })}
          data-testid={`${testId}-cap-days`}
        />
        <NumberInput
          w={180}
          label={t("scoring.decay_days")}
          placeholder={t("scoring.decay_days_hint")}
          min={1}
          allowDecimal={false}
          allowNegative={false}
          suffix={` ${t("segments.days")}`}
          value={rule.decay_days ?? ""}
          error={errorOf(`${at}.decay_days`)}
          onChange={(v) => onChange({ ...rule, decay_days: numberOrNull(v) })}
          data-testid={`${testId}-decay`}
        />
      </Group>
    </Stack>
  );
}

export function RuleCard({ rule, index, onChange, onRemove, errorOf }: Props) {
  const { t } = useTranslation();
  const at = `rules[${index}]`;
  const testId = `scoring-rule-${index}`;
  return (
    <Paper withBorder p="sm" data-testid={testId} data-rule-id={rule.id}>
      <Stack gap="xs">
        <Group align="flex-start" wrap="nowrap">
          <Badge mt={8} variant="light" color={rule.kind === "interaction" ? "indigo" : "grape"} style={{ flexShrink: 0 }}>
            {t(`scoring.rule_kinds.${rule.kind}`)}
          </Badge>
          <TextInput
            style={{ flex: 1 }}
            aria-label={t("scoring.rule_label")}
            placeholder={t("scoring.rule_label")}
            value={rule.label}
            error={errorOf(`${at}.label`)}
            onChange={(e) => onChange({ ...rule, label: e.currentTarget.value })}
            data-testid={`${testId}-label`}
          />
          <NumberInput
            w={130}
            aria-label={t("scoring.points")}
            suffix={` ${t("scoring.pts")}`}
            allowDecimal={false}
            value={rule.points}
            error={errorOf(`${at}.points`)}
            onChange={(v) => onChange({ ...rule, points: typeof v === "number" ? v : Number.NaN })}
            data-testid={`${testId}-points`}
          />
          <Tooltip label={t("scoring.rule_remove")}>
            <ActionIcon mt={4} variant="subtle" color="red" onClick={onRemove} aria-label={t("scoring.rule_remove")} data-testid={`${testId}-remove`}>
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
        {rule.kind === "interaction" ? (
          <InteractionFields rule={rule} index={index} onChange={onChange} errorOf={errorOf} />
        ) : (
          <AttributeRuleInput value={rule.rule ?? ""} serverError={errorOf(`${at}.rule`)} testId={`${testId}-rule`}
            onChange={(text) => onChange({ ...rule, rule: text })} />
        )}
        {errorOf(at) && <Text size="xs" c="red">{errorOf(at)}</Text>}
      </Stack>
    </Paper>
  );
}
