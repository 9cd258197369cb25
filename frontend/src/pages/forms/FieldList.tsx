// The form's fields in order: pick one to edit it, drag it (mouse or keyboard) or move it with the
// arrows, remove it; the palette below adds a field of any type at the end.
import { DndContext, KeyboardSensor, PointerSensor, useDraggable, useDroppable, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { ActionIcon, Badge, Button, Card, Group, Menu, Stack, Text, Tooltip, UnstyledButton } from "@mantine/core";
import { IconArrowDown, IconArrowUp, IconGripVertical, IconPlus, IconTrash } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { FormField } from "../../api/queries/forms";
import { FIELD_TYPES, inLang, type FieldType, type Lang } from "./model";

type Props = {
  fields: FormField[];
  selected: number | null;
  lang: Lang;
  readOnly: boolean;
  errors: Set<number>;
  onSelect: (index: number) => void;
  onMove: (from: number, to: number) => void;
  onRemove: (index: number) => void;
  onAdd: (type: FieldType) => void;
};

function Row({ field, index, count, props }: { field: FormField; index: number; count: number; props: Props }) {
  const { t } = useTranslation();
  const id = `field-${index}`;
  const drag = useDraggable({ id, disabled: props.readOnly, attributes: { roleDescription: t("forms.editor.draggable") } });
  const drop = useDroppable({ id });
  const label = inLang(field.labels, props.lang, field.name);
  const selected = props.selected === index;
  return (
    <Card ref={drop.setNodeRef} withBorder padding={6} data-testid={`field-row-${index}`}
      style={{
        outline: selected ? "2px solid var(--mantine-color-indigo-6)" : drop.isOver ? "2px dashed var(--mantine-color-indigo-4)" : undefined,
        borderColor: props.errors.has(index) ? "var(--mantine-color-red-7)" : undefined,
        opacity: drag.isDragging ? 0.5 : 1,
      }}>
      <Group gap={4} wrap="nowrap">
        {!props.readOnly && (
          <ActionIcon ref={drag.setNodeRef} variant="subtle" color="gray" {...drag.listeners} {...drag.attributes}
            aria-label={t("forms.editor.drag", { label })} data-testid={`field-drag-${index}`}>
            <IconGripVertical size={16} />
          </ActionIcon>
        )}
        <UnstyledButton onClick={() => props.onSelect(index)} style={{ flex: 1, minWidth: 0 }} aria-pressed={selected}
          data-testid={`field-select-${index}`}>
          <Text size="sm" fw={500} truncate>{label}{field.required ? " *" : ""}</Text>
          <Group gap={4}>
            <Badge size="xs" variant="light" color={field.type === "consent" ? "teal" : "indigo"}>{t(`forms.types.${field.type}`)}</Badge>
            {props.errors.has(index) && <Badge size="xs" color="red">{t("forms.editor.has_error")}</Badge>}
          </Group>
        </UnstyledButton>
        {!props.readOnly && (
          <>
            <Tooltip label={t("forms.editor.move_up")}>
              <ActionIcon variant="subtle" disabled={index === 0} onClick={() => props.onMove(index, index - 1)}
                aria-label={t("forms.editor.move_up_named", { label })} data-testid={`field-up-${index}`}><IconArrowUp size={16} /></ActionIcon>
            </Tooltip>
            <Tooltip label={t("forms.editor.move_down")}>
              <ActionIcon variant="subtle" disabled={index === count - 1} onClick={() => props.onMove(index, index + 1)}
                aria-label={t("forms.editor.move_down_named", { label })} data-testid={`field-down-${index}`}><IconArrowDown size={16} /></ActionIcon>
            </Tooltip>
            <Tooltip label={t("forms.editor.remove")}>
              <ActionIcon variant="subtle" color="red" onClick={() => props.onRemove(index)}
                aria-label={t("forms.editor.remove_named", { label })} data-testid={`field-remove-${index}`}><IconTrash size={16} /></ActionIcon>
            </Tooltip>
          </>
        )}
      </Group>
    </Card>
  );
}

export function FieldList(props: Props) {
  const { t } = useTranslation();
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor));
  function end(event: DragEndEvent) {
    if (!event.over) return;
    const from = Number(String(event.active.id).slice(6));
    const to = Number(String(event.over.id).slice(6));
    props.onMove(from, to);
  }
  return (
    <Stack gap={6} data-testid="field-list">
      <DndContext sensors={sensors} onDragEnd={end}
        accessibility={{
          announcements: {
            onDragStart: ({ active }) => t("forms.editor.announce_start", { n: Number(String(active.id).slice(6)) + 1 }),
            onDragOver: ({ over }) => (over ? t("forms.editor.announce_over", { n: Number(String(over.id).slice(6)) + 1 }) : ""),
            onDragEnd: ({ over }) => (over ? t("forms.editor.announce_end", { n: Number(String(over.id).slice(6)) + 1 }) : ""),
            onDragCancel: () => t("forms.editor.announce_cancel"),
          },
          screenReaderInstructions: { draggable: t("forms.editor.drag_instructions") },
        }}>
        {props.fields.map((field, index) => (
          <Row key={`${field.name}-${index}`} field={field} index={index} count={props.fields.length} props={props} />
        ))}
      </DndContext>
      {props.fields.length === 0 && <Text size="sm" c="dimmed">{t("forms.editor.no_fields")}</Text>}
      {!props.readOnly && (
        <Menu position="bottom-start" withinPortal>
          <Menu.Target>
            <Button variant="light" leftSection={<IconPlus size={16} />} data-testid="field-add">{t("forms.editor.add_field")}</Button>
          </Menu.Target>
          <Menu.Dropdown>
            {FIELD_TYPES.map((type) => (
              <Menu.Item key={type} onClick={() => props.onAdd(type)} data-testid={`field-add-${type}`}>
                {t(`forms.types.${type}`)}
                <Text size="xs" c="dimmed">{t(`forms.type_hints.${type}`)}</Text>
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
      )}
    </Stack>
  );
}
