import { Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus, IconSparkles, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { type Preset } from "../../api/client";
import { createFromPreset, deleteSegment, keys, usePresets, useSegments } from "../../api/queries/segments";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { formatNumber, formatRelative } from "../../components/format";

export function SegmentsPage() {
  const { t, i18n } = useTranslation();
  const { canWrite } = useAuth();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const segments = useSegments();
  const presets = usePresets();
  const fr = i18n.language === "fr";

  async function fromPreset(preset: Preset) {
    try {
      const created = await createFromPreset(preset.key);
      void queries.invalidateQueries({ queryKey: keys.all });
      navigate(`/segments/${created.id}`);
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    }
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("segments.title")}</Title>
        {canWrite && (
          <Button leftSection={<IconPlus size={16} />} component={Link} to="/segments/new" data-testid="segments-new">
            {t("segments.new")}
          </Button>
        )}
      </Group>
      <DataTable
        testId="segments-table"
        rows={segments.data}
        rowKey={(s) => s.id}
        rowProps={(s) => ({ "data-testid": `segment-row-${s.id}` })}
        loading={segments.isLoading}
        error={segments.error}
        empty={{
          message: t("segments.empty"),
          action: canWrite ? <Button variant="light" component={Link} to="/segments/new">{t("segments.new")}</Button> : undefined,
        }}
        columns={[
          { key: "name", header: t("segments.name"), sortValue: (s) => s.name, render: (s) => (
            <>
              <Anchor component={Link} to={`/segments/${s.id}`} data-testid="segment-row-name">{s.name}</Anchor>
              {s.description && <Text size="xs" c="dimmed">{s.description}</Text>}
            </>
          ) },
          { key: "kind", header: t("segments.kind"), sortValue: (s) => s.kind,
            render: (s) => <Badge variant="light" color={s.kind === "dynamic" ? "indigo" : "gray"}>{t(`segments.kinds.${s.kind}`)}</Badge> },
          { key: "members", header: t("segments.members"), align: "right", sortValue: (s) => s.member_count,
            render: (s) => <span data-testid="segment-row-count">{formatNumber(s.member_count)}</span> },
          { key: "last_refresh", header: t("segments.last_refresh"), sortValue: (s) => s.last_refreshed_at,
            render: (s) => (s.kind === "dynamic" ? formatRelative(s.last_refreshed_at) : "") },
        ]}
        actions={canWrite ? [{
          key: "delete", label: t("common.delete"), icon: <IconTrash size={16} />, testId: "segment-delete",
          confirm: (s) => ({ title: t("segments.delete_title"), message: t("segments.delete_warning", { name: s.name }),
            confirm: t("common.delete"), testId: "segment-delete-confirm" }),
          onClick: async (s) => {
            await deleteSegment(s.id);
            void queries.invalidateQueries({ queryKey: keys.all });
          },
        }] : []}
      />
      {canWrite && (presets.data?.length ?? 0) > 0 && (
        <Stack gap="xs">
          <Group gap="xs">
            <IconSparkles size={18} />
            <Title order={4}>{t("segments.presets")}</Title>
          </Group>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            {presets.data!.map((preset) => (
              <Card key={preset.key} withBorder data-testid={`preset-${preset.key}`}>
                <Text fw={600}>{fr ? preset.name_fr : preset.name_en}</Text>
                <Text size="sm" c="dimmed" mb="sm">{fr ? preset.description_fr : preset.description_en}</Text>
                <Button size="xs" variant="light" onClick={() => void fromPreset(preset)} data-testid={`preset-${preset.key}-create`}>
                  {t("segments.create_from_preset")}
                </Button>
              </Card>
            ))}
          </SimpleGrid>
        </Stack>
      )}
    </Stack>
  );
}
