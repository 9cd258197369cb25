import { Button, Group, Modal, Select, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { addMembers, createSegment, keys, useSegments } from "../../api/queries/segments";

/** Put the selected contacts in a static segment, existing or new. */
export function AddToSegment({ contactIds, opened, onClose }: { contactIds: number[]; opened: boolean; onClose: (added: boolean) => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [segmentId, setSegmentId] = useState<string | null>(null);
  const [newName, setNewName] = useState("");
  const [busy, setBusy] = useState(false);
  const segments = useSegments({ enabled: opened });
  const statics = (segments.data ?? []).filter((s) => s.kind === "static");

  async function add() {
    setBusy(true);
    try {
      const id = segmentId
        ? Number(segmentId)
        : (await createSegment({ name: newName.trim(), kind: "static", description: "" })).id;
      const result = await addMembers(id, contactIds);
      void queries.invalidateQueries({ queryKey: keys.all });
      notifications.show({ color: "green", message: t("segments.added_members", { count: result.added }) });
      onClose(true);
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={opened} onClose={() => onClose(false)} title={t("segments.add_to_segment")}>
      <Stack>
        <Text size="sm">{t("segments.selected", { count: contactIds.length })}</Text>
        <Select label={t("segments.existing_static")} clearable searchable data={statics.map((s) => ({ value: String(s.id), label: s.name }))}
          value={segmentId} onChange={setSegmentId} data-testid="add-to-segment-select" />
        {!segmentId && (
          <TextInput label={t("segments.or_new_static")} value={newName} onChange={(e) => setNewName(e.currentTarget.value)} data-testid="add-to-segment-new" />
        )}
        <Group justify="flex-end">
          <Button disabled={!segmentId && !newName.trim()} loading={busy} onClick={() => void add()} data-testid="add-to-segment-confirm">
            {t("segments.add")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
