import { Anchor, Badge, Button, Checkbox, Group, Progress, Stack, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconCamera, IconDownload, IconRefresh, IconSearch } from "@tabler/icons-react";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api, unwrap, type Segment } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime, formatNumber } from "../../components/format";
import { STAGE_COLORS } from "../../components/vocabulary";

export function SegmentMembers({ segment }: { segment: Segment }) {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 300);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [selected, setSelected] = useState<number[]>([]);
  const [jobId, setJobId] = useState<string | null>(null);
  const path = { segment_id: segment.id };
  const cursor = cursors[cursors.length - 1];
  const members = useQuery({
    queryKey: ["segment-members", segment.id, q, cursor, segment.member_count, segment.last_refreshed_at],
    placeholderData: keepPreviousData,
    queryFn: () => unwrap(api.GET("/api/segments/{segment_id}/members", { params: { path, query: { q: q || undefined, cursor: cursor ?? undefined, limit: 50 } } })),
  });
  const job = useQuery({
    queryKey: ["job", jobId],
    enabled: jobId !== null,
    queryFn: () => unwrap(api.GET("/api/jobs/{job_id}", { params: { path: { job_id: jobId! } } })),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      if (status === "done" || status === "failed") {
        void queries.invalidateQueries({ queryKey: ["segment-members", segment.id] });
        void queries.invalidateQueries({ queryKey: ["segment", segment.id] });
        return false;
      }
      return 500;
    },
  });

  async function refresh() {
    setJobId((await unwrap(api.POST("/api/segments/{segment_id}/refresh", { params: { path } }))).job_id);
  }

  async function snapshot() {
    const copy = await unwrap(api.POST("/api/segments/{segment_id}/snapshot", { params: { path } }));
    void queries.invalidateQueries({ queryKey: ["segments"] });
    notifications.show({ color: "green", message: t("segments.snapshot_done", { name: copy.name }) });
    navigate(`/segments/${copy.id}`);
  }

  async function removeSelected() {
    await unwrap(api.DELETE("/api/segments/{segment_id}/members", { params: { path }, body: { contact_ids: selected } }));
    setSelected([]);
    void queries.invalidateQueries({ queryKey: ["segment-members", segment.id] });
    void queries.invalidateQueries({ queryKey: ["segment", segment.id] });
  }

  const refreshing = job.data && !["done", "failed"].includes(job.data.status);
  const page = members.data;
  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <TextInput leftSection={<IconSearch size={16} />} placeholder={t("contacts.search_placeholder")} value={search}
            onChange={(e) => { setSearch(e.currentTarget.value); setCursors([null]); }} data-testid="members-search" w={260} />
          <Text size="sm" c="dimmed" data-testid="members-total">
            {page ? t("contacts.total", { count: page.total, formatted: formatNumber(page.total) }) : ""}
          </Text>
          {segment.last_refreshed_at && (
            <Text size="xs" c="dimmed">{t("segments.refreshed_at", { when: formatDateTime(segment.last_refreshed_at) })}</Text>
          )}
        </Group>
        <Group gap="xs">
          <Button variant="default" leftSection={<IconDownload size={16} />} component="a" href={`/api/segments/${segment.id}/members.csv`} data-testid="members-export">
            {t("contacts.export_csv")}
          </Button>
          {canWrite && segment.kind === "dynamic" && (
            <>
              <Button variant="default" leftSection={<IconCamera size={16} />} onClick={() => void snapshot()} data-testid="segment-snapshot">
                {t("segments.snapshot")}
              </Button>
              <Button variant="light" leftSection={<IconRefresh size={16} />} loading={Boolean(refreshing)} onClick={() => void refresh()} data-testid="segment-refresh">
                {t("segments.refresh")}
              </Button>
            </>
          )}
          {canWrite && segment.kind === "static" && selected.length > 0 && (
            <Button color="red" variant="light" onClick={() => void removeSelected()} data-testid="members-remove">
              {t("segments.remove_members", { count: selected.length })}
            </Button>
          )}
        </Group>
      </Group>
      {refreshing && <Progress value={(job.data?.progress ?? 0) * 100} animated data-testid="segment-refresh-progress" />}
      <ErrorAlert error={members.error} />
      <Table highlightOnHover data-testid="members-table">
        <Table.Thead>
          <Table.Tr>
            {segment.kind === "static" && canWrite && <Table.Th w={40} />}
            <Table.Th>{t("contacts.name")}</Table.Th>
            <Table.Th>{t("fields.email")}</Table.Th>
            <Table.Th>{t("fields.lifecycle_stage")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {page?.items.map((c) => (
            <Table.Tr key={c.id} data-testid={`member-row-${c.id}`}>
              {segment.kind === "static" && canWrite && (
                <Table.Td>
                  <Checkbox aria-label={c.email} checked={selected.includes(c.id)}
                    onChange={(e) => setSelected(e.currentTarget.checked ? [...selected, c.id] : selected.filter((x) => x !== c.id))} />
                </Table.Td>
              )}
              <Table.Td>
                <Anchor component={Link} to={`/contacts/${c.id}`}>{[c.first_name, c.last_name].filter(Boolean).join(" ") || t("contacts.no_name")}</Anchor>
              </Table.Td>
              <Table.Td>{c.email}</Table.Td>
              <Table.Td><Badge variant="light" color={STAGE_COLORS[c.lifecycle_stage]}>{t(`stages.${c.lifecycle_stage}`)}</Badge></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {segment.kind === "dynamic" && !segment.last_refreshed_at && (
        <Progress value={100} animated data-testid="segment-filling" />
      )}
      {page?.items.length === 0 && (
        <Text c="dimmed" ta="center" data-testid="members-empty">
          {segment.kind === "static" ? t("segments.static_empty") : t("segments.dynamic_empty")}
        </Text>
      )}
      <Group justify="flex-end" gap="xs">
        <Button variant="default" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>{t("common.previous")}</Button>
        <Button variant="default" disabled={!page?.next_cursor} onClick={() => setCursors([...cursors, page!.next_cursor])}>{t("common.next")}</Button>
      </Group>
    </Stack>
  );
}
