import { Anchor, Button, Group, Stack, Text, Title } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { deleteJourney, keys, useJourneys } from "../../api/queries/journeys";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { formatNumber, formatRelative } from "../../components/format";
import { NewJourneyModal } from "./NewJourneyModal";
import { StatusBadge } from "./StatusBadge";

export function JourneysPage() {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const [creating, setCreating] = useState(false);
  const journeys = useJourneys();

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("journeys.title")}</Title>
        {canWrite && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="journeys-new">{t("journeys.new")}</Button>
        )}
      </Group>
      <DataTable
        testId="journeys-table"
        rows={journeys.data}
        rowKey={(j) => j.id}
        rowProps={(j) => ({ "data-testid": `journey-row-${j.id}` })}
        loading={journeys.isLoading}
        error={journeys.error}
        empty={{
          message: t("journeys.empty"), testId: "journeys-empty",
          action: canWrite ? <Button variant="light" onClick={() => setCreating(true)}>{t("journeys.new")}</Button> : undefined,
        }}
        columns={[
          { key: "name", header: t("journeys.name"), sortValue: (j) => j.name, render: (j) => (
            <>
              <Anchor component={Link} to={`/journeys/${j.id}`} data-testid="journey-row-name">{j.name}</Anchor>
              {j.description && <Text size="xs" c="dimmed">{j.description}</Text>}
            </>
          ) },
          { key: "status", header: t("journeys.status"), sortValue: (j) => j.status, render: (j) => (
            <Group gap={4}>
              <StatusBadge status={j.status} testId="journey-row-status" />
              {j.has_changes && <Text size="xs" c="dimmed">{t("journeys.has_changes")}</Text>}
            </Group>
          ) },
          { key: "version", header: t("journeys.version"), align: "right", sortValue: (j) => j.version, render: (j) => j.version || "—" },
          { key: "entered", header: t("journeys.entered"), align: "right", sortValue: (j) => j.entered,
            render: (j) => <span data-testid="journey-row-entered">{formatNumber(j.entered)}</span> },
          { key: "active", header: t("journeys.active"), align: "right", sortValue: (j) => j.active,
            render: (j) => <span data-testid="journey-row-active">{formatNumber(j.active)}</span> },
          { key: "updated_at", header: t("journeys.last_change"), sortValue: (j) => j.updated_at, render: (j) => formatRelative(j.updated_at) },
        ]}
        actions={canWrite ? [{
          key: "delete", label: t("common.delete"), icon: <IconTrash size={16} />, testId: "journey-delete",
          hidden: (j) => ["published", "paused"].includes(j.status),
          confirm: (j) => ({ title: t("journeys.delete_title"), message: t("journeys.delete_warning", { name: j.name }),
            confirm: t("common.delete"), testId: "journey-delete-confirm" }),
          onClick: async (j) => {
            await deleteJourney(j.id);
            void queries.invalidateQueries({ queryKey: keys.all });
          },
        }] : []}
      />
      <NewJourneyModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}
