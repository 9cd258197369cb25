import { ActionIcon, Alert, Group, Stack, Text, Tooltip } from "@mantine/core";
import { IconTrash } from "@tabler/icons-react";
import { memo } from "react";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../api/client";
import { kindOf, typeKey } from "./catalog";
import { configErrors } from "./checks";
import type { Config, JourneyNode } from "./definition";
import { NodeForm } from "./NodeForm";

type Props = {
  node: JourneyNode | null;
  selectedCount: number;
  problems: Schemas["Problem"][];
  readOnly: boolean;
  onChange: (id: string, config: Config, field: string) => void;
  onRemove: (id: string) => void;
};

/** The right-hand panel: the selected step's settings, with what is still missing beside each field. */
export const NodePanel = memo(function NodePanel({ node, selectedCount, problems, readOnly, onChange, onRemove }: Props) {
  const { t } = useTranslation();
  if (!node)
    return (
      <Text size="sm" c="dimmed" p="md" data-testid="node-panel-empty">
        {selectedCount > 1 ? t("journeys.panel.many", { count: selectedCount }) : t("journeys.panel.empty")}
      </Text>
    );
  const Icon = kindOf(node.type).icon;
  const mine = problems.filter((p) => p.node_id === node.id);
  const errors = { ...configErrors(node.type, node.config, t), ...Object.fromEntries(mine.filter((p) => p.field).map((p) => [p.field!, p.message])) };
  const general = mine.filter((p) => !p.field);
  return (
    <Stack p="md" gap="md" data-testid="node-panel" data-node={node.id}>
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          <Icon size={20} />
          <div>
            <Text fw={700}>{t(`journeys.types.${typeKey(node.type)}`)}</Text>
            <Text size="xs" c="dimmed">{t(`journeys.hints.${typeKey(node.type)}`)}</Text>
          </div>
        </Group>
        {!readOnly && (
          <Tooltip label={t("journeys.panel.delete")}>
            <ActionIcon variant="subtle" color="red" onClick={() => onRemove(node.id)} aria-label={t("journeys.panel.delete")} data-testid="node-delete">
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
        )}
      </Group>
      {general.map((p) => <Alert key={p.message} color="red" p="xs">{p.message}</Alert>)}
      <NodeForm key={node.id} type={node.type} config={node.config} errors={errors} disabled={readOnly}
        onChange={(config, field) => onChange(node.id, config, field)} />
    </Stack>
  );
});
