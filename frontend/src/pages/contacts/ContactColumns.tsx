// The contact list's optional columns: behavioural fields (those made on their screen) and the RFM
// group and score, chosen in a menu and remembered in this browser.
import { Button, Checkbox, Popover, Stack, Text } from "@mantine/core";
import { IconColumns } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { RuleField } from "../../api/client";
import { useRuleFields } from "../../api/queries/rules";
import { choicesOf, fieldLabel } from "../../components/conditions/ConditionBuilder";
import { formatDateTime, formatNumber } from "../../components/format";

type Value = string | number | boolean | null | undefined;

const STORAGE_KEY = "parcours.contacts.columns";
const RFM_COLUMNS = ["rfm_segment", "rfm_score"];
// The segment builder's own behavioural conditions: fields the marketer never sees as such.
const HIDDEN_PREFIX = "computed_did_";

export function columnChoices(fields: RuleField[]): RuleField[] {
  return [
    ...fields.filter((f) => f.group === "computed" && !f.name.startsWith(HIDDEN_PREFIX)),
    ...RFM_COLUMNS.map((name) => fields.find((f) => f.name === name)).filter((f): f is RuleField => f !== undefined),
  ];
}

function remembered(): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]");
    return Array.isArray(stored) ? stored.filter((name): name is string => typeof name === "string") : [];
  } catch {
    return [];
  }
}

/** The columns chosen, among the fields that exist now (a deleted field's column goes away). */
export function useContactColumns() {
  const fields = useRuleFields();
  const [chosen, setChosen] = useState<string[]>(remembered);
  const available = columnChoices(fields.data ?? []);
  const shown = chosen.map((name) => available.find((f) => f.name === name)).filter((f): f is RuleField => f !== undefined);
  const toggle = (name: string, on: boolean) => {
    const next = on ? [...chosen.filter((n) => n !== name), name] : chosen.filter((n) => n !== name);
    localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    setChosen(next);
  };
  return { available, shown, toggle };
}

/** A value as the list shows it: numbers and dates in the user's language, booleans in words. */
export function FieldValue({ field, value }: { field: RuleField; value: Value }) {
  const { t, i18n } = useTranslation();
  // A count nobody reached reads 0 in rules (the field is not nullable): the list says so too.
  const read = value ?? (field.nullable ? null : field.type === "boolean" ? false : field.type === "number" ? 0 : null);
  if (read === null || read === "") return <Text span c="dimmed">—</Text>;
  if (typeof read === "boolean") return <>{read ? t("contacts.value_yes") : t("contacts.value_no")}</>;
  if (typeof read === "number") return <>{formatNumber(read, { maximumFractionDigits: 2 })}</>;
  if (field.type === "datetime" || field.type === "date") return <>{formatDateTime(read)}</>;
  const choice = choicesOf(field, i18n.language).find((c) => c.value === read);
  return <>{choice?.label ?? read}</>;
}

export function ContactColumnsMenu({ available, shown, toggle }: ReturnType<typeof useContactColumns>) {
  const { t, i18n } = useTranslation();
  return (
    <Popover position="bottom-end" shadow="md" withinPortal>
      <Popover.Target>
        <Button variant="default" leftSection={<IconColumns size={16} />} data-testid="contacts-columns">
          {t("contacts.columns")}
        </Button>
      </Popover.Target>
      <Popover.Dropdown data-testid="contacts-columns-menu" maw={320}>
        <Stack gap="xs">
          <Text size="sm" fw={500}>{t("contacts.columns_title")}</Text>
          {available.length === 0 && <Text size="sm" c="dimmed">{t("contacts.columns_empty")}</Text>}
          {available.map((f) => (
            <Checkbox
              key={f.name}
              label={fieldLabel(f, i18n.language)}
              checked={shown.some((s) => s.name === f.name)}
              onChange={(e) => toggle(f.name, e.currentTarget.checked)}
              data-testid={`contacts-column-${f.name}`}
            />
          ))}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
