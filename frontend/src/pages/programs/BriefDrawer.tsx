import { ActionIcon, Button, Drawer, Group, Select, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { type BriefIn, keys, putBrief, useBrief } from "../../api/queries/programs";
import { useAuth } from "../../auth/AuthProvider";
import { formatDateTime } from "../../components/format";

type Message = BriefIn["messages"] extends (infer M)[] | undefined ? M : never;
const CHANNELS = ["email", "sms", "webhook", "other"] as const;
const EMPTY: BriefIn = { goal: "", audience: "", data_needed: "", messages: [], kpi: "" };

/** A journey's scenario brief, written before it is built: its goal, audience, the data it needs,
 * its messages (what, by which channel, when) and its KPI. */
export function BriefDrawer({ journeyId, opened, onClose }: { journeyId: number; opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const readOnly = !useAuth().canWrite;
  const queries = useQueryClient();
  const saved = useBrief(journeyId, opened);
  const [brief, setBrief] = useState<BriefIn>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (saved.data) {
      const { goal, audience, data_needed, messages, kpi } = saved.data;
      setBrief({ goal, audience, data_needed, messages, kpi });
    }
  }, [saved.data]);
  const messages = brief.messages ?? [];
  const setMessage = (index: number, change: Partial<Message>) =>
    setBrief((b) => ({ ...b, messages: (b.messages ?? []).map((m, i) => (i === index ? { ...m, ...change } : m)) }));
  const save = async () => {
    if (messages.some((m) => !m.name.trim())) {
      setError(t("plan.brief.message_name_required"));
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await putBrief(journeyId, brief);
      await queries.invalidateQueries({ queryKey: keys.brief(journeyId) });
      notifications.show({ color: "green", message: t("plan.brief.saved") });
      onClose();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };
  const text = (field: "goal" | "audience" | "data_needed") => (
    <Textarea label={t(`plan.brief.${field}`)} value={brief[field] ?? ""} autosize minRows={2} maxLength={2000} readOnly={readOnly}
      onChange={(e) => setBrief({ ...brief, [field]: e.currentTarget.value })} data-testid={`brief-${field}`} />
  );
  return (
    <Drawer opened={opened} onClose={onClose} position="right" size="lg" title={t("plan.brief.title")}>
      <Stack data-testid="brief-drawer">
        <Text size="sm" c="dimmed">{t("plan.brief.help")}</Text>
        {text("goal")}
        {text("audience")}
        {text("data_needed")}
        <Title order={3} size="h5">{t("plan.brief.messages")}</Title>
        {messages.length === 0 && <Text size="sm" c="dimmed">{t("plan.brief.no_messages")}</Text>}
        {messages.map((m, i) => (
          <Group key={i} align="end" wrap="nowrap" data-testid={`brief-message-${i}`}>
            <TextInput label={t("plan.brief.message_name")} value={m.name} maxLength={200} readOnly={readOnly} style={{ flex: 2 }}
              onChange={(e) => setMessage(i, { name: e.currentTarget.value })} data-testid={`brief-message-name-${i}`} />
            <Select label={t("plan.brief.channel")} data={CHANNELS.map((c) => ({ value: c, label: t(`plan.brief.channels.${c}`) }))} w={120}
              value={m.channel} allowDeselect={false} readOnly={readOnly}
              onChange={(value) => value && setMessage(i, { channel: value as Message["channel"] })} data-testid={`brief-message-channel-${i}`} />
            <TextInput label={t("plan.brief.when")} value={m.when ?? ""} maxLength={200} readOnly={readOnly} style={{ flex: 2 }}
              onChange={(e) => setMessage(i, { when: e.currentTarget.value })} data-testid={`brief-message-when-${i}`} />
            {!readOnly && (
              <ActionIcon variant="subtle" color="red" mb={4} aria-label={t("plan.brief.remove_message", { n: i + 1 })}
                onClick={() => setBrief({ ...brief, messages: messages.filter((_, j) => j !== i) })} data-testid={`brief-message-remove-${i}`}>
                <IconTrash size={16} />
              </ActionIcon>
            )}
          </Group>
        ))}
        {!readOnly && (
          <Button variant="light" leftSection={<IconPlus size={14} />} w="fit-content" data-testid="brief-add-message"
            onClick={() => setBrief({ ...brief, messages: [...messages, { name: "", channel: "email", when: "" }] })}>
            {t("plan.brief.add_message")}
          </Button>
        )}
        <TextInput label={t("plan.brief.kpi")} value={brief.kpi ?? ""} maxLength={500} readOnly={readOnly}
          onChange={(e) => setBrief({ ...brief, kpi: e.currentTarget.value })} data-testid="brief-kpi" />
        {error && <Text c="red" size="sm" role="alert" data-testid="brief-error">{error}</Text>}
        {saved.data?.updated_at && (
          <Text size="xs" c="dimmed">{t("plan.brief.updated", { by: saved.data.updated_by, at: formatDateTime(saved.data.updated_at) })}</Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-testid="brief-close">{t("common.cancel")}</Button>
          {!readOnly && <Button onClick={() => void save()} loading={saving} data-testid="brief-save">{t("plan.brief.save")}</Button>}
        </Group>
      </Stack>
    </Drawer>
  );
}
