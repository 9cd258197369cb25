// Settings → System (administrators): is the product working, and what failed. Workers, queues
// (the urgent one and the bulk one: depth and lag), interaction stream, storage, messages waiting or
// failed, failed jobs (run again) and recent jobs; a warning when PostgreSQL does not clean its tables.
import { Alert, Badge, Button, Card, Group, Progress, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { IconAlertTriangle, IconRefresh, IconRotateClockwise } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Job } from "../../api/client";
import { keys, retryJob, useSystemStatus } from "../../api/queries/system";
import { DataTable } from "../../components/DataTable";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime, formatNumber } from "../../components/format";
import { formatBytes } from "../assets/format";

function Figure({ label, value, hint, testId }: { label: string; value: ReactNode; hint?: ReactNode; testId: string }) {
  return (
    <Card withBorder padding="md" data-testid={testId}>
      <Text size="sm" c="dimmed">{label}</Text>
      <Text fw={700} size="xl">{value}</Text>
      {hint && <Text size="xs" c="dimmed">{hint}</Text>}
    </Card>
  );
}

export function SystemTab() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const status = useSystemStatus();
  const refresh = () => void queries.invalidateQueries({ queryKey: keys.status });
  if (status.error) return <ErrorAlert error={status.error} />;
  const data = status.data;
  const disk = data?.storage;
  const diskUsed = disk && disk.disk_total_bytes ? 1 - disk.disk_free_bytes / disk.disk_total_bytes : 0;
  const jobLabel = (job: Job) => t(`system.job_kinds.${job.kind}`, { defaultValue: job.kind });
  const jobColumns = [
    { key: "kind", header: t("system.job"), render: jobLabel },
    { key: "by", header: t("system.started_by"), render: (j: Job) => j.created_by || "—" },
    { key: "created", header: t("system.created"), render: (j: Job) => formatDateTime(j.created_at) },
  ];

  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed" size="sm" maw={640}>{t("system.hint")}</Text>
        <Group gap="xs">
          {data && <Text size="xs" c="dimmed" data-testid="system-checked-at">{t("system.checked_at", { time: formatDateTime(data.checked_at) })}</Text>}
          <Button variant="default" leftSection={<IconRefresh size={16} />} onClick={refresh} loading={status.isFetching} data-testid="system-refresh">
            {t("system.refresh")}
          </Button>
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
        <Figure testId="system-worker" label={t("system.worker")}
          value={data ? <Badge size="lg" color={data.queue.worker_alive ? "teal" : "red"} data-testid="system-worker-state">
            {data.queue.worker_alive ? t("system.worker_alive") : t("system.worker_down")}</Badge> : "…"}
          hint={data && !data.queue.worker_alive ? t("system.worker_down_hint") : undefined} />
        <Figure testId="system-queue" label={t("system.queue")} value={data ? formatNumber(data.queue.waiting) : "…"}
          hint={data && Object.entries(data.queue.by_task).map(([task, n]) => `${task}: ${n}`).join(", ")} />
        <Figure testId="system-stream" label={t("system.stream")} value={data ? formatNumber(data.stream.lag) : "…"}
          hint={data && (data.stream.lag ? t("system.stream_waited", { seconds: formatNumber(data.stream.waited_seconds) }) : t("system.stream_caught_up"))} />
        <Figure testId="system-storage" label={t("system.database")} value={disk ? formatBytes(disk.database_bytes) : "…"}
          hint={disk && (
            <Stack gap={4} mt={4}>
              <Progress value={diskUsed * 100} color={diskUsed > 0.9 ? "red" : "blue"} aria-label={t("system.disk_used")} data-testid="system-disk" />
              {t("system.disk_free", { free: formatBytes(disk.disk_free_bytes), total: formatBytes(disk.disk_total_bytes) })}
            </Stack>
          )} />
      </SimpleGrid>
      {disk?.autovacuum === false && (
        <Alert color="orange" icon={<IconAlertTriangle size={18} />} title={t("system.autovacuum_off")} data-testid="system-autovacuum-off">
          {t("system.autovacuum_off_hint")}
        </Alert>
      )}

      <Title order={4}>{t("system.queues")}</Title>
      <Text size="sm" c="dimmed" maw={640}>{t("system.queues_hint")}</Text>
      <DataTable testId="system-queues" rows={data?.queues} loading={status.isLoading}
        rowKey={(q) => q.name} rowProps={(q) => ({ "data-testid": `system-queue-${q.name}` })}
        empty={{ message: t("system.no_queues") }}
        columns={[
          { key: "name", header: t("system.queue_name"), render: (q) => t(`system.queue_names.${q.name}`) },
          { key: "worker", header: t("system.worker"), render: (q) => (
            <Badge color={q.worker_alive ? "teal" : "red"} data-testid={`system-queue-${q.name}-worker`}>
              {q.worker_alive ? t("system.worker_alive") : t("system.worker_down")}</Badge>) },
          { key: "waiting", header: t("system.queue_waiting"), align: "right",
            render: (q) => <span data-testid={`system-queue-${q.name}-waiting`}>{formatNumber(q.waiting)}</span> },
          { key: "lag", header: t("system.queue_lag"), align: "right",
            render: (q) => <span data-testid={`system-queue-${q.name}-lag`}>{t("system.seconds", { seconds: formatNumber(q.lag_seconds) })}</span> },
        ]} />

      <Title order={4}>{t("system.outbox")}</Title>
      <DataTable testId="system-outbox" rows={data?.outbox} loading={status.isLoading}
        rowKey={(r) => `${r.status}-${r.channel}`}
        empty={{ message: t("system.outbox_empty") }}
        columns={[
          { key: "status", header: t("system.status"), render: (r) => t(`system.message_status.${r.status}`, { defaultValue: r.status }) },
          { key: "channel", header: t("system.channel"), render: (r) => r.channel },
          { key: "count", header: t("system.count"), align: "right", render: (r) => formatNumber(r.count) },
        ]} />

      <Title order={4}>{t("system.failed_jobs")}</Title>
      <DataTable testId="system-failed-jobs" rows={data?.failed_jobs} loading={status.isLoading}
        rowKey={(j) => j.id} rowProps={(j) => ({ "data-testid": `system-failed-job-${j.id}` })}
        empty={{ message: t("system.no_failed_jobs") }}
        columns={[
          ...jobColumns.slice(0, 1),
          { key: "error", header: t("system.error"), render: (j) => j.message },
          { key: "failed", header: t("system.failed_at"), render: (j) => formatDateTime(j.finished_at) },
        ]}
        actions={[{
          key: "retry", label: t("system.retry"), icon: <IconRotateClockwise size={16} />, testId: "system-retry",
          onClick: async (j) => { await retryJob(j.id); refresh(); },
        }]} />

      <Title order={4}>{t("system.failed_messages")}</Title>
      <DataTable testId="system-failed-messages" rows={data?.failed_messages} loading={status.isLoading}
        rowKey={(m) => m.id}
        empty={{ message: t("system.no_failed_messages") }}
        columns={[
          { key: "to", header: t("system.recipient"), render: (m) => m.to_address },
          { key: "channel", header: t("system.channel"), render: (m) => m.channel },
          { key: "reason", header: t("system.reason"), render: (m) => m.reason },
          { key: "attempts", header: t("system.attempts"), align: "right", render: (m) => m.attempts },
          { key: "created", header: t("system.created"), render: (m) => formatDateTime(m.created_at) },
        ]} />
      <Text size="sm"><Link to="/emails/outbox?status=failed" data-testid="system-outbox-link">{t("system.open_outbox")}</Link></Text>

      <Title order={4}>{t("system.recent_jobs")}</Title>
      <DataTable testId="system-recent-jobs" rows={data?.recent_jobs} loading={status.isLoading}
        rowKey={(j) => j.id}
        empty={{ message: t("system.no_jobs") }}
        columns={[
          ...jobColumns,
          { key: "status", header: t("system.status"), render: (j) => t(`system.job_status.${j.status}`) },
          { key: "message", header: t("system.outcome"), render: (j) => j.message },
        ]} />
    </Stack>
  );
}
