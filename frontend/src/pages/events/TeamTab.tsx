import { ActionIcon, Badge, Button, Card, Group, Select, Stack, Switch, Table, Text, TextInput, Textarea, Title, Tooltip } from "@mantine/core";
import { IconTrash, IconUserPlus } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAuth } from "../../auth/AuthProvider";
import { confirmDanger } from "../../components/confirm";
import { ErrorAlert } from "../../components/ErrorAlert";
import { addTeamMember, keys, listTeam, removeTeamMember, TEAM_ROLES, type TeamMember, type TeamMemberIn } from "../../api/queries/events";
import { useSubmitForm } from "./useSubmitForm";

const EMPTY: TeamMemberIn = { name: "", email: null, role: "organizer", internal: true, responsibilities: "" };

/** The organizing team: who does what, from the company or from outside. */
export function TeamTab({ eventId }: { eventId: number }) {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const team = useQuery({ queryKey: keys.team(eventId), queryFn: () => listTeam(eventId) });
  const [member, setMember] = useState<TeamMemberIn>(EMPTY);
  const { sending, fieldError, otherError, submitWith } = useSubmitForm(["name", "email", "role"]);

  const add = submitWith(async () => {
    await addTeamMember(eventId, { ...member, name: member.name.trim(), email: member.email?.trim() || null });
    setMember(EMPTY);
    void queries.invalidateQueries({ queryKey: keys.team(eventId) });
  });

  function remove(m: TeamMember) {
    confirmDanger({
      title: t("events.team.remove_title"),
      message: t("events.team.remove_warning", { name: m.name }),
      confirm: t("events.team.remove"),
      testId: "team-remove-confirm",
      onConfirm: async () => {
        await removeTeamMember(eventId, m.id);
        void queries.invalidateQueries({ queryKey: keys.team(eventId) });
      },
    });
  }

  return (
    <Stack>
      {canWrite && (
        <Card withBorder>
          <form onSubmit={(e) => void add(e)}>
            <Stack gap="xs">
              <Title order={5}>{t("events.team.add_title")}</Title>
              <Group grow align="flex-start">
                <TextInput label={t("events.team.name")} required value={member.name} error={fieldError("name")}
                  onChange={(e) => setMember({ ...member, name: e.currentTarget.value })} data-testid="team-name" />
                <TextInput label={t("fields.email")} type="email" value={member.email ?? ""} error={fieldError("email")}
                  onChange={(e) => setMember({ ...member, email: e.currentTarget.value })} data-testid="team-email" />
                <Select label={t("events.team.role")} allowDeselect={false} value={member.role} error={fieldError("role")}
                  data={TEAM_ROLES.map((role) => ({ value: role, label: t(`events.team.roles.${role}`) }))}
                  onChange={(v) => v && setMember({ ...member, role: v as TeamMemberIn["role"] })} data-testid="team-role" />
              </Group>
              <Textarea label={t("events.team.responsibilities")} autosize minRows={1} value={member.responsibilities}
                onChange={(e) => setMember({ ...member, responsibilities: e.currentTarget.value })} data-testid="team-responsibilities" />
              <Group justify="space-between">
                <Switch label={t("events.team.internal")} checked={member.internal}
                  onChange={(e) => setMember({ ...member, internal: e.currentTarget.checked })} data-testid="team-internal" />
                <Button type="submit" loading={sending} leftSection={<IconUserPlus size={16} />} data-testid="team-add">
                  {t("events.team.add")}
                </Button>
              </Group>
              {otherError && <ErrorAlert error={otherError} testId="team-error" />}
            </Stack>
          </form>
        </Card>
      )}
      <ErrorAlert error={team.error} />
      <Table data-testid="team-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("events.team.name")}</Table.Th>
            <Table.Th>{t("events.team.role")}</Table.Th>
            <Table.Th>{t("events.team.from")}</Table.Th>
            <Table.Th>{t("events.team.responsibilities")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {team.data?.map((m) => (
            <Table.Tr key={m.id} data-testid={`team-row-${m.id}`}>
              <Table.Td>
                <Text size="sm" data-testid="team-row-name">{m.name}</Text>
                {m.email && <Text size="xs" c="dimmed">{m.email}</Text>}
              </Table.Td>
              <Table.Td data-testid="team-row-role">{t(`events.team.roles.${m.role}`, { defaultValue: m.role })}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={m.internal ? "indigo" : "grape"} data-testid="team-row-internal">
                  {t(m.internal ? "events.team.internal_badge" : "events.team.external_badge")}
                </Badge>
              </Table.Td>
              <Table.Td><Text size="sm" style={{ whiteSpace: "pre-wrap" }}>{m.responsibilities}</Text></Table.Td>
              <Table.Td>
                {canWrite && (
                  <Tooltip label={t("events.team.remove")}>
                    <ActionIcon variant="subtle" color="red" onClick={() => remove(m)} aria-label={t("events.team.remove")} data-testid="team-remove">
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Tooltip>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {team.data?.length === 0 && <Text c="dimmed" ta="center" data-testid="team-empty">{t("events.team.empty")}</Text>}
    </Stack>
  );
}
