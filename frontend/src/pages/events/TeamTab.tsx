import { Badge, Button, Card, Group, Select, Stack, Switch, Text, TextInput, Textarea, Title } from "@mantine/core";
import { IconTrash, IconUserPlus } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { ErrorAlert } from "../../components/ErrorAlert";
import { addTeamMember, keys, removeTeamMember, TEAM_ROLES, useTeam, type TeamMemberIn } from "../../api/queries/events";
import { useSubmitForm } from "./useSubmitForm";

const EMPTY: TeamMemberIn = { name: "", email: null, role: "organizer", internal: true, responsibilities: "" };

/** The organizing team: who does what, from the company or from outside. */
export function TeamTab({ eventId }: { eventId: number }) {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const team = useTeam(eventId);
  const [member, setMember] = useState<TeamMemberIn>(EMPTY);
  const { sending, fieldError, otherError, submitWith } = useSubmitForm(["name", "email", "role"]);

  const add = submitWith(async () => {
    await addTeamMember(eventId, { ...member, name: member.name.trim(), email: member.email?.trim() || null });
    setMember(EMPTY);
    void queries.invalidateQueries({ queryKey: keys.team(eventId) });
  });

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
      <DataTable
        testId="team-table"
        rows={team.data}
        rowKey={(m) => m.id}
        rowProps={(m) => ({ "data-testid": `team-row-${m.id}` })}
        loading={team.isLoading}
        error={team.error}
        highlightOnHover={false}
        empty={{ testId: "team-empty", message: t("events.team.empty") }}
        columns={[
          { key: "name", header: t("events.team.name"), sortValue: (m) => m.name, render: (m) => (
            <>
              <Text size="sm" data-testid="team-row-name">{m.name}</Text>
              {m.email && <Text size="xs" c="dimmed">{m.email}</Text>}
            </>
          ) },
          { key: "role", header: t("events.team.role"), sortValue: (m) => m.role,
            render: (m) => <span data-testid="team-row-role">{t(`events.team.roles.${m.role}`, { defaultValue: m.role })}</span> },
          { key: "from", header: t("events.team.from"), sortValue: (m) => (m.internal ? 0 : 1), render: (m) => (
            <Badge variant="light" color={m.internal ? "indigo" : "grape"} data-testid="team-row-internal">
              {t(m.internal ? "events.team.internal_badge" : "events.team.external_badge")}
            </Badge>
          ) },
          { key: "responsibilities", header: t("events.team.responsibilities"),
            render: (m) => <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>{m.responsibilities}</Text> },
        ]}
        actions={canWrite ? [{
          key: "remove", label: t("events.team.remove"), icon: <IconTrash size={16} />, testId: "team-remove",
          confirm: (m) => ({ title: t("events.team.remove_title"), message: t("events.team.remove_warning", { name: m.name }),
            confirm: t("events.team.remove"), testId: "team-remove-confirm" }),
          onClick: async (m) => {
            await removeTeamMember(eventId, m.id);
            void queries.invalidateQueries({ queryKey: keys.team(eventId) });
          },
        }] : []}
      />
    </Stack>
  );
}
