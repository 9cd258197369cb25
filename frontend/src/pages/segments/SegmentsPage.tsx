import { ActionIcon, Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Table, Text, Title, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus, IconSparkles, IconTrash } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api, unwrap, type Preset, type Segment } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { confirmDanger } from "../../components/confirm";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatNumber, formatRelative } from "../../components/format";

export function SegmentsPage() {
  const { t, i18n } = useTranslation();
  const { canWrite } = useAuth();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const segments = useQuery({ queryKey: ["segments"], queryFn: () => unwrap(api.GET("/api/segments")), refetchInterval: 10_000 });
  const presets = useQuery({ queryKey: ["segment-presets"], queryFn: () => unwrap(api.GET("/api/segments/presets")) });
  const fr = i18n.language === "fr";

  async function fromPreset(preset: Preset) {
    try {
      const created = await unwrap(api.POST("/api/segments/presets/{key}", { params: { path: { key: preset.key } } }));
      void queries.invalidateQueries({ queryKey: ["segments"] });
      navigate(`/segments/${created.id}`);
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    }
  }

  function remove(segment: Segment) {
    confirmDanger({
      title: t("segments.delete_title"),
      message: t("segments.delete_warning", { name: segment.name }),
      confirm: t("common.delete"),
      testId: "segment-delete-confirm",
      onConfirm: async () => {
        await unwrap(api.DELETE("/api/segments/{segment_id}", { params: { path: { segment_id: segment.id } } }));
        void queries.invalidateQueries({ queryKey: ["segments"] });
      },
    });
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
      <ErrorAlert error={segments.error} />
      <Table highlightOnHover data-testid="segments-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("segments.name")}</Table.Th>
            <Table.Th>{t("segments.kind")}</Table.Th>
            <Table.Th ta="right">{t("segments.members")}</Table.Th>
            <Table.Th>{t("segments.last_refresh")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {segments.data?.map((s) => (
            <Table.Tr key={s.id} data-testid={`segment-row-${s.id}`}>
              <Table.Td>
                <Anchor component={Link} to={`/segments/${s.id}`} data-testid="segment-row-name">{s.name}</Anchor>
                {s.description && <Text size="xs" c="dimmed">{s.description}</Text>}
              </Table.Td>
              <Table.Td><Badge variant="light" color={s.kind === "dynamic" ? "indigo" : "gray"}>{t(`segments.kinds.${s.kind}`)}</Badge></Table.Td>
              <Table.Td ta="right" data-testid="segment-row-count">{formatNumber(s.member_count)}</Table.Td>
              <Table.Td>{s.kind === "dynamic" ? formatRelative(s.last_refreshed_at) : ""}</Table.Td>
              <Table.Td>
                {canWrite && (
                  <Tooltip label={t("common.delete")}>
                    <ActionIcon variant="subtle" color="red" onClick={() => remove(s)} aria-label={t("common.delete")} data-testid="segment-delete">
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Tooltip>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {segments.data?.length === 0 && <Text c="dimmed" ta="center">{t("segments.empty")}</Text>}
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
