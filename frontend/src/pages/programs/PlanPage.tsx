import { Alert, Button, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { deleteProgram, keys, type Program, useProgramChoices, usePrograms } from "../../api/queries/programs";
import { useAuth } from "../../auth/AuthProvider";
import { confirmDanger } from "../../components/confirm";
import { PlanCalendar } from "./PlanCalendar";
import { ProgramCard } from "./ProgramCard";
import { ProgramForm } from "./ProgramForm";

/** The relationship plan: each program's KPI against its target over time, and the annual
 * calendar of its journeys, campaigns and events. */
export function PlanPage() {
  const { t } = useTranslation();
  const { canWrite: canEdit } = useAuth();
  const queries = useQueryClient();
  const programs = usePrograms();
  const choices = useProgramChoices(true);
  // The form is remounted for each program (or a new one): its draft starts from it.
  const [editing, setEditing] = useState<{ program: Program | null; n: number } | null>(null);
  const names = useMemo(() => {
    const toMap = (list: { value: string; label: string }[] | undefined) => new Map((list ?? []).map((c) => [Number(c.value), c.label]));
    return { journeys: toMap(choices.data?.journeys), campaigns: toMap(choices.data?.campaigns), events: toMap(choices.data?.events) };
  }, [choices.data]);
  const refresh = () => void queries.invalidateQueries({ queryKey: keys.all });
  const remove = (program: Program) =>
    confirmDanger({
      title: t("plan.delete_title"),
      message: t("plan.delete_message", { name: program.name }),
      confirm: t("plan.delete_confirm"),
      testId: "program-delete-confirm",
      onConfirm: async () => {
        await deleteProgram(program.id);
        refresh();
        notifications.show({ color: "green", message: t("plan.deleted", { name: program.name }) });
      },
    });
  const items = programs.data?.items ?? [];
  return (
    <Stack data-testid="plan-page">
      <Group justify="space-between">
        <Stack gap={0}>
          <Title order={1} size="h2">{t("plan.title")}</Title>
          <Text c="dimmed" size="sm">{t("plan.description")}</Text>
        </Stack>
        {canEdit && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing({ program: null, n: Date.now() })} data-testid="program-new">
            {t("plan.new")}
          </Button>
        )}
      </Group>
      {programs.error && <Alert color="red">{programs.error.message}</Alert>}
      {programs.isSuccess && items.length === 0 && (
        <Text c="dimmed" data-testid="plan-empty">{t("plan.empty")}</Text>
      )}
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        {items.map((program) => (
          <ProgramCard key={program.id} program={program} names={names} canEdit={canEdit}
            onEdit={() => setEditing({ program, n: Date.now() })} onDelete={() => remove(program)} />
        ))}
      </SimpleGrid>
      <PlanCalendar />
      {editing && (
        <ProgramForm
          key={editing.n}
          program={editing.program}
          opened
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            refresh();
            notifications.show({ color: "green", message: t("plan.saved") });
          }}
        />
      )}
    </Stack>
  );
}
