import {
  ActionIcon,
  Button,
  Group,
  MultiSelect,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { DateInput } from "@mantine/dates";
import { notifications } from "@mantine/notifications";
import { IconActivity, IconPlus, IconTrash } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { Builder, BuilderCondition, BuilderGroup, RuleField } from "../../api/client";
import { COUNTRY_CODES, LANGUAGE_CODES, countryName, languageName } from "../vocabulary";
import { BEHAVIOUR_PREFIX, BehaviourConditionRow, FIRST_BEHAVIOUR, isBehaviour, useBehaviourField } from "./BehaviourCondition";

export type Option = { value: string; label: string };
/** What the values of some fields are chosen from: segments, and inside a journey its email steps
 * (by their names) and the events. */
export type Pickers = { segments?: Option[]; steps?: Option[]; events?: Option[] };

type Props = {
  value: Builder;
  onChange: (next: Builder) => void;
  fields: RuleField[];
  pickers?: Pickers;
  readOnly?: boolean;
  /** Field, operator and value stacked: for narrow panels (the journey's side panel). */
  vertical?: boolean;
  testId?: string;
  /** Offers "has / has not done … at least N times in the last D days" (the segment builder). */
  behaviour?: boolean;
};

/** Operators that take no value, and those that take a list of values. */
export const NO_VALUE = new Set(["is_empty", "is_not_empty", "is_true", "is_false"]);
export const LIST_VALUE = new Set(["is_any_of", "is_none_of"]);

/** Whether a condition says enough to be counted (its value is given when it needs one). */
export function isComplete(condition: BuilderCondition): boolean {
  const value = condition.value as unknown;
  if (NO_VALUE.has(condition.operator)) return true;
  if (Array.isArray(value)) return value.length > 0 && value.every((v) => v !== null && v !== "");
  return value !== null && value !== undefined && value !== "";
}

/** The builder without its unfinished conditions: what can be counted while the marketer types. */
export function completeOnly(builder: Builder): Builder {
  const groups = builder.groups
    .map((g) => ({ ...g, conditions: g.conditions.filter(isComplete) }))
    .filter((g) => g.conditions.length > 0);
  return { ...builder, groups };
}

export function emptyCondition(fields: RuleField[]): BuilderCondition {
  const first = fields.find((f) => f.name === "country") ?? fields[0];
  return { field: first?.name ?? "email", operator: first?.operators[0] ?? "is", value: null };
}

export function fieldLabel(field: RuleField, language: string): string {
  return language === "fr" ? field.label_fr : field.label_en;
}

export function choicesOf(field: RuleField, language: string): Option[] {
  if (field.type === "country") return COUNTRY_CODES.map((c) => ({ value: c, label: countryName(c, language) }));
  if (field.type === "language") return LANGUAGE_CODES.map((c) => ({ value: c, label: languageName(c, language) }));
  return field.choices.map((c) => ({ value: c.value, label: language === "fr" ? c.label_fr : c.label_en }));
}

function ValueInput({ field, condition, pickers, onChange, testId, readOnly, wide }: {
  field: RuleField;
  condition: BuilderCondition;
  pickers: Pickers;
  onChange: (value: unknown) => void;
  testId: string;
  readOnly?: boolean;
  wide?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const op = condition.operator;
  const value = condition.value as never;
  const common = { "data-testid": testId, disabled: readOnly, "aria-label": t("segments.value") };
  // In a narrow panel every input takes the whole width.
  const w = (width: number) => (wide ? "100%" : width);
  if (NO_VALUE.has(op)) return null;
  const numbered = (options: Option[] | undefined, placeholder: string) => (
    <Select {...common} w={w(240)} placeholder={placeholder} searchable data={options ?? []}
      value={value != null ? String(value) : null} onChange={(v) => onChange(v ? Number(v) : null)} />
  );
  if (field.type === "segments") return numbered(pickers.segments, t("segments.pick_segment"));
  if (field.type === "events") return numbered(pickers.events, t("conditions.pick_event"));
  if (field.type === "steps")
    return (
      <Select {...common} w={w(240)} placeholder={t("conditions.pick_step")} data={pickers.steps ?? []}
        value={value ?? null} onChange={(v) => onChange(v)} />
    );
  if (field.type === "links") {
    const pair = (value as string[] | null) ?? [null, null];
    return (
      <Stack gap={4} w={w(260)}>
        <Select {...common} data-testid={`${testId}-step`} aria-label={t("conditions.of_step")} placeholder={t("conditions.pick_step")}
          data={pickers.steps ?? []} value={pair[0] ?? null} onChange={(v) => onChange([v, pair[1]])} />
        <TextInput {...common} data-testid={`${testId}-url`} aria-label={t("conditions.link")} placeholder="https://"
          value={pair[1] ?? ""} onChange={(e) => onChange([pair[0], e.currentTarget.value])} />
      </Stack>
    );
  }
  const choices = choicesOf(field, i18n.language);
  if (LIST_VALUE.has(op))
    return choices.length ? (
      <MultiSelect {...common} w={w(300)} searchable data={choices} value={(value as string[]) ?? []} onChange={onChange} />
    ) : (
      <TagsInput {...common} w={w(300)} placeholder={t("segments.type_enter")} value={(value as string[]) ?? []} onChange={onChange} />
    );
  if (op === "in_last_days" || op === "more_than_days_ago")
    return (
      <NumberInput {...common} w={w(140)} min={1} max={36500} allowDecimal={false} suffix={` ${t("segments.days")}`}
        value={value ?? ""} onChange={(v) => onChange(v === "" ? null : Number(v))} />
    );
  if (["before", "after", "on"].includes(op))
    return <DateInput {...common} w={w(170)} valueFormat="YYYY-MM-DD" value={value ?? null} onChange={onChange} />;
  if (field.type === "number") {
    if (op === "between") {
      const pair = (value as number[] | null) ?? [null, null];
      return (
        <Group gap={4}>
          <NumberInput {...common} data-testid={`${testId}-low`} w={110} value={pair[0] ?? ""}
            onChange={(v) => onChange([v === "" ? null : Number(v), pair[1]])} />
          <Text size="sm">{t("segments.and")}</Text>
          <NumberInput {...common} data-testid={`${testId}-high`} w={110} value={pair[1] ?? ""}
            onChange={(v) => onChange([pair[0], v === "" ? null : Number(v)])} />
        </Group>
      );
    }
    return <NumberInput {...common} w={w(140)} value={value ?? ""} onChange={(v) => onChange(v === "" ? null : Number(v))} />;
  }
  if (choices.length && (op === "is" || op === "is_not"))
    return <Select {...common} w={w(220)} searchable data={choices} value={value ?? null} onChange={onChange} />;
  return <TextInput {...common} w={w(220)} value={value ?? ""} onChange={(e) => onChange(e.currentTarget.value)} />;
}

function ConditionRow({ condition, fields, pickers, onChange, onRemove, testId, readOnly, vertical }: {
  condition: BuilderCondition;
  fields: RuleField[];
  pickers: Pickers;
  onChange: (c: BuilderCondition) => void;
  onRemove: () => void;
  testId: string;
  readOnly?: boolean;
  vertical?: boolean;
}) {
  const { t, i18n } = useTranslation();
  if (isBehaviour(condition))
    return <BehaviourConditionRow condition={condition} onChange={onChange} onRemove={onRemove} testId={testId} readOnly={readOnly} />;
  // The counts behind behavioural conditions are not fields the marketer picks.
  fields = fields.filter((f) => !f.name.startsWith(BEHAVIOUR_PREFIX));
  const field = fields.find((f) => f.name === condition.field) ?? fields[0];
  if (!field) return null;
  const groups = [...new Set(fields.map((f) => f.group))];
  const unfinished = !isComplete(condition);
  const Row = vertical ? Stack : Group;
  const w = (width: number) => (vertical ? "100%" : width);
  return (
    <Row gap="xs" wrap="nowrap" align={vertical ? "stretch" : "flex-start"} data-testid={testId} data-complete={unfinished ? "no" : "yes"}>
      <Select
        w={w(230)}
        searchable
        disabled={readOnly}
        aria-label={t("segments.field")}
        data-testid={`${testId}-field`}
        data={groups.map((g) => ({
          group: t(`segments.groups.${g}`),
          items: fields.filter((f) => f.group === g).map((f) => ({ value: f.name, label: fieldLabel(f, i18n.language) })),
        }))}
        value={field.name}
        allowDeselect={false}
        onChange={(name) => {
          const next = fields.find((f) => f.name === name);
          if (next) onChange({ field: next.name, operator: next.operators[0], value: null });
        }}
      />
      <Select
        w={w(170)}
        disabled={readOnly}
        aria-label={t("segments.operator")}
        data-testid={`${testId}-operator`}
        data={field.operators.map((op) => ({ value: op, label: t(`operators.${op}`) }))}
        value={condition.operator}
        allowDeselect={false}
        onChange={(op) => op && onChange({ ...condition, operator: op, value: LIST_VALUE.has(op) ? [] : NO_VALUE.has(op) ? null : condition.value })}
      />
      <Stack gap={2}>
        <ValueInput field={field} condition={condition} pickers={pickers} testId={`${testId}-value`} readOnly={readOnly}
          wide={vertical} onChange={(value) => onChange({ ...condition, value })} />
        {unfinished && (
          <Text size="xs" c="orange" data-testid={`${testId}-unfinished`}>
            {t("segments.unfinished")}
          </Text>
        )}
      </Stack>
      {!readOnly && (
        <Tooltip label={t("segments.remove_condition")}>
          <ActionIcon variant="subtle" color="red" onClick={onRemove} aria-label={t("segments.remove_condition")} data-testid={`${testId}-remove`}
            style={vertical ? { alignSelf: "flex-end" } : undefined}>
            <IconTrash size={16} />
          </ActionIcon>
        </Tooltip>
      )}
    </Row>
  );
}

function MatchToggle({ value, onChange, testId, readOnly }: { value: "all" | "any"; onChange: (v: "all" | "any") => void; testId: string; readOnly?: boolean }) {
  const { t } = useTranslation();
  return (
    <SegmentedControl size="xs" disabled={readOnly} value={value} onChange={(v) => onChange(v as "all" | "any")} data-testid={testId}
      data={[{ value: "all", label: t("segments.match_all") }, { value: "any", label: t("segments.match_any") }]} />
  );
}

/** Conditions picked field by field, operator in words, value from the field's choices. */
export function ConditionBuilder({ value, onChange, fields, pickers = {}, readOnly, vertical, testId = "segment-builder", behaviour }: Props) {
  const { t } = useTranslation();
  const makeBehaviour = useBehaviourField();
  const firstBehaviour = async () => {
    try {
      return await makeBehaviour(FIRST_BEHAVIOUR, 1, true);
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
      return null;
    }
  };
  const setGroup = (index: number, group: BuilderGroup | null) => {
    const groups = [...value.groups];
    if (group === null || group.conditions.length === 0) groups.splice(index, 1);
    else groups[index] = group;
    onChange({ ...value, groups });
  };
  return (
    <Stack gap="sm" data-testid={testId}>
      {value.groups.length > 1 && (
        <Group gap="xs">
          <Text size="sm">{t("segments.groups_join")}</Text>
          <MatchToggle value={value.match} readOnly={readOnly} testId="builder-match" onChange={(match) => onChange({ ...value, match })} />
        </Group>
      )}
      {value.groups.map((group, g) => (
        <Paper key={g} withBorder p={vertical ? "xs" : "sm"} data-testid={`builder-group-${g}`}>
          <Stack gap="xs">
            {group.conditions.length > 1 && (
              <Group gap="xs">
                <Text size="sm">{t("segments.conditions_join")}</Text>
                <MatchToggle value={group.match} readOnly={readOnly} testId={`builder-group-${g}-match`}
                  onChange={(match) => setGroup(g, { ...group, match })} />
              </Group>
            )}
            {group.conditions.map((condition, c) => (
              <ConditionRow key={c} condition={condition} fields={fields} pickers={pickers} readOnly={readOnly} vertical={vertical}
                testId={`condition-${g}-${c}`}
                onChange={(next) => setGroup(g, { ...group, conditions: group.conditions.map((x, i) => (i === c ? next : x)) })}
                onRemove={() => setGroup(g, { ...group, conditions: group.conditions.filter((_, i) => i !== c) })} />
            ))}
            {!readOnly && (
              <Group gap="xs">
                <Button variant="subtle" size="xs" w="fit-content" leftSection={<IconPlus size={14} />} data-testid={`builder-group-${g}-add`}
                  onClick={() => setGroup(g, { ...group, conditions: [...group.conditions, emptyCondition(fields)] })}>
                  {t("segments.add_condition")}
                </Button>
                {behaviour && (
                  <Button variant="subtle" size="xs" w="fit-content" leftSection={<IconActivity size={14} />} data-testid={`builder-group-${g}-add-behaviour`}
                    onClick={() => void firstBehaviour().then((c) => c && setGroup(g, { ...group, conditions: [...group.conditions, c] }))}>
                    {t("behaviour.add_condition")}
                  </Button>
                )}
              </Group>
            )}
          </Stack>
        </Paper>
      ))}
      {value.groups.length === 0 && (
        <Text c="dimmed" size="sm" data-testid="builder-empty">
          {t("segments.no_conditions")}
        </Text>
      )}
      {!readOnly && (
        <Group gap="xs">
          <Button variant="light" size="xs" w="fit-content" leftSection={<IconPlus size={14} />} data-testid="builder-add-group"
            onClick={() => onChange({ ...value, groups: [...value.groups, { match: "all", conditions: [emptyCondition(fields)] }] })}>
            {value.groups.length ? t("segments.add_group") : t("segments.add_condition")}
          </Button>
          {behaviour && value.groups.length === 0 && (
            <Button variant="light" size="xs" w="fit-content" leftSection={<IconActivity size={14} />} data-testid="builder-add-behaviour"
              onClick={() => void firstBehaviour().then((c) => c && onChange({ ...value, groups: [{ match: "all", conditions: [c] }] }))}>
              {t("behaviour.add_condition")}
            </Button>
          )}
        </Group>
      )}
    </Stack>
  );
}
