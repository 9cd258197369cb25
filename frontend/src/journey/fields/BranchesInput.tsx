import { ActionIcon, Button, Group, NumberInput, Stack, Text, TextInput } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { Branch } from "../catalog";

type Props = { value: Branch[]; onChange: (branches: Branch[]) => void; error?: string; disabled?: boolean };

/** A split's branches: a name and a share of contacts each, the shares adding up to 100%. */
export function BranchesInput({ value, onChange, error, disabled }: Props) {
  const { t } = useTranslation();
  const total = value.reduce((sum, b) => sum + (Number(b.percent) || 0), 0);
  const set = (i: number, branch: Branch) => onChange(value.map((b, j) => (j === i ? branch : b)));
  const nextLabel = () => String.fromCharCode(65 + value.length);
  return (
    <Stack gap="xs" data-testid="node-config-branches">
      <Text size="sm" fw={500}>{t("journeys.fields.branches")}</Text>
      {value.map((branch, i) => (
        <Group key={i} gap="xs" wrap="nowrap">
          <TextInput aria-label={t("journeys.fields.branch_name")} value={branch.label} disabled={disabled} style={{ flex: 1 }}
            data-testid={`node-config-branch-${i}-label`} onChange={(e) => set(i, { ...branch, label: e.currentTarget.value })} />
          <NumberInput aria-label={t("journeys.fields.branch_percent")} w={90} min={0} max={100} suffix="%" value={branch.percent} disabled={disabled}
            data-testid={`node-config-branch-${i}-percent`} onChange={(v) => set(i, { ...branch, percent: Number(v) || 0 })} />
          <ActionIcon variant="subtle" color="red" disabled={disabled || value.length <= 2} aria-label={t("common.delete")}
            data-testid={`node-config-branch-${i}-remove`} onClick={() => onChange(value.filter((_, j) => j !== i))}>
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
      <Group justify="space-between">
        <Button size="xs" variant="subtle" leftSection={<IconPlus size={14} />} disabled={disabled} data-testid="node-config-branch-add"
          onClick={() => onChange([...value, { label: nextLabel(), percent: 0 }])}>
          {t("journeys.fields.add_branch")}
        </Button>
        <Text size="sm" c={total === 100 ? "dimmed" : "red"} data-testid="node-config-branches-total">
          {t("journeys.fields.total", { total })}
        </Text>
      </Group>
      {error && <Text size="xs" c="red">{error}</Text>}
    </Stack>
  );
}
