import { Group, NumberInput, Select } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { UNITS, formatDuration, parseDuration, type Unit } from "../duration";

type Props = { label: string; value: unknown; onChange: (iso: string) => void; error?: string; testId: string; disabled?: boolean };

/** A duration as a number and a unit ("2 days"), stored as ISO 8601 ("P2D"). */
export function DurationInput({ label, value, onChange, error, testId, disabled }: Props) {
  const { t } = useTranslation();
  const parsed = parseDuration(value) ?? { amount: 1, unit: "days" as Unit };
  return (
    <Group gap="xs" align="flex-start" wrap="nowrap">
      <NumberInput label={label} min={1} max={10000} allowDecimal={false} allowNegative={false} value={parsed.amount} error={error}
        disabled={disabled} data-testid={testId} style={{ flex: 1 }}
        onChange={(v) => onChange(formatDuration({ amount: Number(v) || 0, unit: parsed.unit }))} />
      <Select mt={25} w={120} value={parsed.unit} allowDeselect={false} disabled={disabled} data-testid={`${testId}-unit`}
        aria-label={t("journeys.fields.unit")}
        data={UNITS.map((u) => ({ value: u, label: t(`journeys.unit_names.${u}`) }))}
        onChange={(u) => u && onChange(formatDuration({ amount: parsed.amount, unit: u as Unit }))} />
    </Group>
  );
}
