import { Anchor, Badge, Button, Checkbox, Group, Progress, Stack, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconCamera, IconDownload, IconRefresh, IconSearch } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { type Contact, type Segment } from "../../api/client";
import { isFinished, useJob } from "../../api/queries/jobs";
import { isFilling, keys, refreshSegment, removeMembers, snapshotSegment, useMembers } from "../../api/queries/segments";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { formatDateTime, formatNumber } from "../../components/format";
import { STAGE_COLORS } from "../../components/vocabulary";

export function SegmentMembers({ segment }: { segment: Segment }) {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 300);
  const [selected, setSelected] = useState<number[]>([]);
  const [jobId, setJobId] = useState<string | null>(null);
  const members = useMembers(segment.id, q, segment.member_count, segment.last_refreshed_at ?? null);
  const reload = () => {
    void queries.invalidateQueries({ queryKey: keys.members(segment.id) });
    void queries.invalidateQueries({ queryKey: keys.segment(segment.id) });
  };
  const job = useJob(jobId, { onFinished: reload });

  async function refresh() {
    setJobId((await refreshSegment(segment.id)).job_id);
  }

  async function snapshot() {
    const copy = await snapshotSegment(segment.id);
    void queries.invalidateQueries({ queryKey: keys.all });
    notifications.show({ color: "green", message: t("segments.snapshot_done", { name: copy.name }) });
    navigate(`/segments/${copy.id}`);
  }

  async function removeSelected() {
    await removeMembers(segment.id, selected);
    setSelected([]);
    reload();
  }

  const refreshing = job.data && !isFinished(job.data);
  const page = members.items;
  const total = members.total;
  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <TextInput leftSection={<IconSearch size={16} />} placeholder={t("contacts.search_placeholder")} value={search}
            onChange={(e) => setSearch(e.currentTarget.value)} data-testid="members-search" w={260} />
          <Text size="sm" c="dimmed" data-testid="members-total">
            {total !== undefined ? t("contacts.total", { count: total, formatted: formatNumber(total) }) : ""}
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
      {refreshing && <Progress value={(job.data?.progress ?? 0) * 100} animated aria-label={t("common.progress")} data-testid="segment-refresh-progress" />}
      {segment.kind === "dynamic" && !refreshing && isFilling(segment) && (
        <Progress value={100} animated aria-label={t("common.loading")} data-testid="segment-filling" />
      )}
      <DataTable
        testId="members-table"
        rows={page}
        rowKey={(c) => c.id}
        rowProps={(c) => ({ "data-testid": `member-row-${c.id}` })}
        loading={members.isLoading}
        error={members.error}
        pager={members.pager}
        empty={{ testId: "members-empty", message: segment.kind === "static" ? t("segments.static_empty") : t("segments.dynamic_empty") }}
        columns={[
          ...(segment.kind === "static" && canWrite ? [{
            key: "select",
            width: 40,
            header: null,
            render: (c: Contact) => (
              <Checkbox aria-label={c.email} checked={selected.includes(c.id)}
                onChange={(e) => setSelected(e.currentTarget.checked ? [...selected, c.id] : selected.filter((x) => x !== c.id))} />
            ),
          }] : []),
          { key: "name", header: t("contacts.name"), sortValue: (c) => [c.first_name, c.last_name].filter(Boolean).join(" "), render: (c) => (
            <Anchor component={Link} to={`/contacts/${c.id}`}>{[c.first_name, c.last_name].filter(Boolean).join(" ") || t("contacts.no_name")}</Anchor>
          ) },
          { key: "email", header: t("fields.email"), sortValue: (c) => c.email, render: (c) => c.email },
          { key: "stage", header: t("fields.lifecycle_stage"), sortValue: (c) => c.lifecycle_stage, render: (c) => (
            <Badge variant="light" color={STAGE_COLORS[c.lifecycle_stage]}>{t(`stages.${c.lifecycle_stage}`)}</Badge>
          ) },
        ]}
      />
    </Stack>
  );
}
