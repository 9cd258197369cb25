import { Paper, ScrollArea, Stack, Text, UnstyledButton } from "@mantine/core";
import { memo } from "react";
import { useTranslation } from "react-i18next";
import { DRAG_TYPE } from "./Canvas";
import { KINDS, groupOf, slug, typeKey, type Group } from "./catalog";
import type { StepType } from "./definition";

const GROUPS: Group[] = ["entry", "action", "flow"];

/** The steps a marketer can add: drag one onto the canvas, or click to add it below the selected step. */
export const Palette = memo(function Palette({ onAdd, disabled }: { onAdd: (type: StepType) => void; disabled: boolean }) {
  const { t } = useTranslation();
  return (
    <ScrollArea h="100%" data-testid="journey-palette">
      <Stack gap="sm" p="xs">
        {GROUPS.map((group) => (
          <Stack key={group} gap={4}>
            <Text size="xs" fw={700} c="dimmed" tt="uppercase">{t(`journeys.groups.${group}`)}</Text>
            {KINDS.filter((k) => groupOf(k.type) === group).map(({ type, icon: Icon, color }) => (
              <UnstyledButton
                key={type}
                draggable={!disabled}
                disabled={disabled}
                onDragStart={(event) => {
                  event.dataTransfer.setData(DRAG_TYPE, type);
                  event.dataTransfer.effectAllowed = "move";
                }}
                onClick={() => onAdd(type)}
                data-testid={`palette-${slug(type)}`}
                title={t(`journeys.hints.${typeKey(type)}`)}
              >
                <Paper withBorder px="xs" py={6} style={{ cursor: disabled ? "default" : "grab", borderLeft: `3px solid var(--mantine-color-${color}-6)` }}>
                  <Text size="sm" style={{ display: "flex", alignItems: "center", gap: 6 }}>
                    <Icon size={16} stroke={1.8} />
                    {t(`journeys.types.${typeKey(type)}`)}
                  </Text>
                </Paper>
              </UnstyledButton>
            ))}
          </Stack>
        ))}
      </Stack>
    </ScrollArea>
  );
});
