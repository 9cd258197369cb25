import { Select, Stack, Textarea } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useTranslation } from "react-i18next";
import { useRuleCheck, useRuleFields } from "../../api/queries/rules";

type Props = { label: string; value: string; onChange: (rule: string) => void; error?: string; testId: string; disabled?: boolean };

/** A rule in the segments' rule language, checked by the server as it is typed. The segment
 * builder is too wide for the side panel, so fields are inserted from a list instead. */
export function RuleInput({ label, value, onChange, error, testId, disabled }: Props) {
  const { t, i18n } = useTranslation();
  const [debounced] = useDebouncedValue(value.trim(), 400);
  const fields = useRuleFields();
  const check = useRuleCheck(debounced);
  const invalid = debounced && debounced === value.trim() && check.error ? (check.error as Error).message : undefined;
  return (
    <Stack gap={4}>
      <Textarea label={label} description={t("journeys.fields.rule_hint")} autosize minRows={2} value={value} disabled={disabled}
        error={error ?? invalid} styles={{ input: { fontFamily: "monospace" } }} data-testid={testId}
        onChange={(e) => onChange(e.currentTarget.value)} />
      <Select size="xs" searchable placeholder={t("journeys.fields.insert_field")} value={null} disabled={disabled} data-testid={`${testId}-field`}
        data={(fields.data ?? []).filter((f) => f.type !== "segments").map((f) => ({ value: f.name, label: `${i18n.language === "fr" ? f.label_fr : f.label_en} (${f.name})` }))}
        onChange={(name) => name && onChange(value.trim() ? `${value.trim()} and ${name}` : name)} />
    </Stack>
  );
}
