import { ActionIcon, Autocomplete, Badge, Button, Card, Group, Paper, Stack, Text, TextInput, Title, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { moved, newSession, sessionField, type SessionDraft, type SessionField } from "./agenda";
import { useTeam } from "../../api/queries/events";

type Change = (next: (sessions: SessionDraft[]) => SessionDraft[]) => void;

type Props = {
  sessions: SessionDraft[];
  change: Change;
  eventId: number | null;
  eventStart: string;
  errorOf: (field: string) => string | undefined;
  attempted: boolean; // a save was tried: every problem shows, missing titles included
  disabled: boolean;
};

/** The agenda: sessions in the order the public page shows them, each with its own times and speaker. */
export function AgendaSection({ sessions, change, eventId, eventStart, errorOf, attempted, disabled }: Props) {
  const { t } = useTranslation();
  // A missing title waits until the marketer leaves the field (or saves), not from the first keystroke.
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const team = useTeam(eventId);
  const speakers = [...new Set((team.data ?? []).filter((m) => m.role === "speaker").map((m) => m.name))];

  const edit = (key: string, values: Partial<SessionDraft>) =>
    change((list) => list.map((s) => (s.key === key ? { ...s, ...values } : s)));

  function remove(index: number) {
    const removed = sessions[index];
    change((list) => list.filter((s) => s.key !== removed.key));
    const id = notifications.show({
      message: (
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm">{removed.title.trim() ? t("events.agenda.removed", { title: removed.title.trim() }) : t("events.agenda.removed_untitled")}</Text>
          <Button size="compact-xs" variant="light" data-testid="event-session-undo" onClick={() => {
            notifications.hide(id);
            change((list) => (list.some((s) => s.key === removed.key) ? list : [...list.slice(0, index), removed, ...list.slice(index)]));
          }}>
            {t("common.undo")}
          </Button>
        </Group>
      ),
    });
  }

  return (
    <Card withBorder data-testid="event-agenda">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4}>{t("events.agenda.title")}</Title>
          {!disabled && (
            <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} data-testid="event-session-add"
              onClick={() => change((list) => [...list, newSession(list[list.length - 1], eventStart)])}>
              {t("events.agenda.add")}
            </Button>
          )}
        </Group>
        <Text size="sm" c="dimmed">{t("events.agenda.hint")}</Text>
        {sessions.length === 0 && <Text size="sm" c="dimmed" data-testid="event-agenda-empty">{t("events.agenda.empty")}</Text>}
        {sessions.map((session, index) => (
          <SessionRow key={session.key} session={session} index={index} last={index === sessions.length - 1}
            speakers={speakers} disabled={disabled} edit={(values) => edit(session.key, values)}
            errorOf={(field) => (field === "title" && !attempted && !touched.has(session.key) ? undefined : errorOf(sessionField(index, field)))}
            leaveTitle={() => setTouched((keys) => new Set(keys).add(session.key))}
            move={(by) => change((list) => moved(list, index, by))} remove={() => remove(index)} />
        ))}
      </Stack>
    </Card>
  );
}

type RowProps = {
  session: SessionDraft;
  index: number;
  last: boolean;
  speakers: string[];
  disabled: boolean;
  edit: (values: Partial<SessionDraft>) => void;
  errorOf: (field: SessionField) => string | undefined;
  leaveTitle: () => void;
  move: (by: -1 | 1) => void;
  remove: () => void;
};

function SessionRow({ session, index, last, speakers, disabled, edit, errorOf, leaveTitle, move, remove }: RowProps) {
  const { t } = useTranslation();
  return (
    <Paper withBorder p="sm" data-testid={`event-session-${index}`}>
      <Group align="flex-start" wrap="nowrap">
        <Badge variant="light" mt={30} data-testid={`event-session-number-${index}`}>{index + 1}</Badge>
        <Stack gap="xs" style={{ flex: 1 }}>
          <Group grow align="flex-start">
            <TextInput label={t("events.agenda.session_title")} required value={session.title} error={errorOf("title")}
              onChange={(e) => edit({ title: e.currentTarget.value })} onBlur={leaveTitle} data-testid={`event-session-title-${index}`} />
            <Autocomplete label={t("events.agenda.speaker")} placeholder={speakers.length ? t("events.agenda.speaker_hint") : undefined}
              data={speakers} value={session.speaker} error={errorOf("speaker")} disabled={disabled}
              onChange={(value) => edit({ speaker: value })} data-testid={`event-session-speaker-${index}`} />
          </Group>
          <Group grow align="flex-start">
            <TextInput type="datetime-local" label={t("events.agenda.starts_at")} value={session.starts_at} error={errorOf("starts_at")}
              onChange={(e) => edit({ starts_at: e.currentTarget.value })} data-testid={`event-session-starts-${index}`} />
            <TextInput type="datetime-local" label={t("events.agenda.ends_at")} value={session.ends_at} error={errorOf("ends_at")}
              onChange={(e) => edit({ ends_at: e.currentTarget.value })} data-testid={`event-session-ends-${index}`} />
          </Group>
        </Stack>
        {!disabled && (
          <Stack gap={4} mt={24}>
            <Tooltip label={t("events.agenda.move_up")}>
              <ActionIcon variant="subtle" disabled={index === 0} onClick={() => move(-1)} aria-label={t("events.agenda.move_up")}
                data-testid={`event-session-up-${index}`}>
                <IconArrowUp size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label={t("events.agenda.move_down")}>
              <ActionIcon variant="subtle" disabled={last} onClick={() => move(1)} aria-label={t("events.agenda.move_down")}
                data-testid={`event-session-down-${index}`}>
                <IconArrowDown size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label={t("events.agenda.remove")}>
              <ActionIcon variant="subtle" color="red" onClick={remove} aria-label={t("events.agenda.remove")}
                data-testid={`event-session-remove-${index}`}>
                <IconTrash size={16} />
              </ActionIcon>
            </Tooltip>
          </Stack>
        )}
      </Group>
    </Paper>
  );
}
