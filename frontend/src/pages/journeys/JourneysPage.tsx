import { ActionIcon, Anchor, Button, Group, Stack, Table, Text, Title, Tooltip } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap, type Schemas } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { confirmDanger } from "../../components/confirm";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatNumber, formatRelative } from "../../components/format";
import { NewJourneyModal } from "./NewJourneyModal";
import { StatusBadge } from "./StatusBadge";

export function JourneysPage() {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const [creating, setCreating] = useState(false);
  const journeys = useQuery({ queryKey: ["journeys"], queryFn: () => unwrap(api.GET("/api/journeys")), refetchInterval: 10_000 });

  function remove(journey: Schemas["JourneySummary"]) {
    confirmDanger({
      title: t("journeys.delete_title"),
      message: t("journeys.delete_warning", { name: journey.name }),
      confirm: t("common.delete"),
      testId: "journey-delete-confirm",
      onConfirm: async () => {
        await unwrap(api.DELETE("/api/journeys/{journey_id}", { params: { path: { journey_id: journey.id } } }));
        void queries.invalidateQueries({ queryKey: ["journeys"] });
      },
    });
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("journeys.title")}</Title>
        {canWrite && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="journeys-new">{t("journeys.new")}</Button>
        )}
      </Group>
      <ErrorAlert error={journeys.error} />
      <Table highlightOnHover data-testid="journeys-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("journeys.name")}</Table.Th>
            <Table.Th>{t("journeys.status")}</Table.Th>
            <Table.Th ta="right">{t("journeys.version")}</Table.Th>
            <Table.Th ta="right">{t("journeys.entered")}</Table.Th>
            <Table.Th ta="right">{t("journeys.active")}</Table.Th>
            <Table.Th>{t("journeys.last_change")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {journeys.data?.map((j) => (
            <Table.Tr key={j.id} data-testid={`journey-row-${j.id}`}>
              <Table.Td>
                <Anchor component={Link} to={`/journeys/${j.id}`} data-testid="journey-row-name">{j.name}</Anchor>
                {j.description && <Text size="xs" c="dimmed">{j.description}</Text>}
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  <StatusBadge status={j.status} testId="journey-row-status" />
                  {j.has_changes && <Text size="xs" c="dimmed">{t("journeys.has_changes")}</Text>}
                </Group>
              </Table.Td>
              <Table.Td ta="right">{j.version || "—"}</Table.Td>
              <Table.Td ta="right" data-testid="journey-row-entered">{formatNumber(j.entered)}</Table.Td>
              <Table.Td ta="right" data-testid="journey-row-active">{formatNumber(j.active)}</Table.Td>
              <Table.Td>{formatRelative(j.updated_at)}</Table.Td>
              <Table.Td>
                {canWrite && !["published", "paused"].includes(j.status) && (
                  <Tooltip label={t("common.delete")}>
                    <ActionIcon variant="subtle" color="red" onClick={() => remove(j)} aria-label={t("common.delete")} data-testid="journey-delete">
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Tooltip>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {journeys.data?.length === 0 && <Text c="dimmed" ta="center" data-testid="journeys-empty">{t("journeys.empty")}</Text>}
      <NewJourneyModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}
