// Import sources: where each one reads, when it runs, how its last run went; run one now, and
// follow its runs file by file (with the manual import's results and errors).
import { Alert, Anchor, Badge, Button, Group, Modal, Stack, Text, Title } from "@mantine/core";
import { IconEdit, IconPlayerPlay, IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { deleteSource, keys, runSource, useRuns, useSources, type Run, type RunFile, type Source } from "../../api/queries/dataflows";
import { useJob } from "../../api/queries/jobs";
import { useOrganization } from "../../api/queries/organization";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { formatDateTime } from "../../components/format";
import { ImportReport } from "../import/ImportReport";
import { scheduleWords } from "./connection";
import { SourceForm } from "./SourceForm";

const STATUS_COLORS: Record<string, string> = { done: "green", imported: "green", failed: "red", refused: "red", running: "blue", importing: "blue", queued: "gray" };

export function where(t: (key: string) => string, flow: { kind: string; host: string; port: number; directory: string }) {
  return flow.kind === "sftp" ? `sftp://${flow.host}${flow.port === 22 ? "" : `:${flow.port}`}/${flow.directory}` : `${t("dataflows.kind_directory")}: ${flow.directory || "."}`;
}

export function SourcesTab() {
  const { t } = useTranslation();
  const { isAdmin, canWrite } = useAuth();
  const queries = useQueryClient();
  const organization = useOrganization();
  const sources = useSources();
  const [editing, setEditing] = useState<Source | "new" | null>(null);
  const [shown, setShown] = useState<Source | null>(null);
  const refresh = () => void queries.invalidateQueries({ queryKey: keys.sources });

  async function run(source: Source) {
    await runSource(source.id);
    setShown(source);
    refresh();
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed" size="sm" maw={640}>
          {t("dataflows.sources_hint")}
        </Text>
        {isAdmin && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing("new")} data-testid="source-new">
            {t("dataflows.new_source")}
          </Button>
        )}
      </Group>
      <DataTable
        testId="sources-table"
        rows={sources.items}
        rowKey={(s) => s.id}
        rowProps={(s) => ({ "data-testid": `source-row-${s.name}` })}
        onRowClick={(s) => setShown(s)}
        loading={sources.isLoading}
        error={sources.error}
        pager={sources.pager}
        empty={{ message: t("dataflows.no_sources") }}
        columns={[
          { key: "name", header: t("dataflows.name"), render: (s) => <Text fw={600} size="sm">{s.name}</Text> },
          { key: "where", header: t("dataflows.where"), render: (s) => <Text size="sm">{where(t, s)} · {s.pattern}</Text> },
          {
            key: "schedule",
            header: t("dataflows.schedule"),
            render: (s) => (s.enabled ? scheduleWords(t, s.frequency, s.time_of_day, organization.data?.timezone) : <Badge color="gray">{t("dataflows.paused")}</Badge>),
          },
          {
            key: "status",
            header: t("dataflows.status"),
            render: (s) =>
              s.last_error ? (
                <Badge color="red" data-testid="source-failing">{t("dataflows.failing", { count: s.failures })}</Badge>
              ) : s.last_run_at ? (
                <Badge color="green">{t("dataflows.ok")}</Badge>
              ) : (
                <Badge color="gray">{t("dataflows.never_run")}</Badge>
              ),
          },
          { key: "next", header: t("dataflows.next_run"), render: (s) => (s.enabled ? formatDateTime(s.next_run_at) : "—") },
        ]}
        actions={[
          ...(canWrite ? [{ key: "run", label: t("dataflows.run_now"), icon: <IconPlayerPlay size={16} />, testId: "source-run", onClick: run }] : []),
          ...(isAdmin
            ? [
                { key: "edit", label: t("common.edit"), icon: <IconEdit size={16} />, testId: "source-edit", onClick: (s: Source) => setEditing(s) },
                {
                  key: "delete",
                  label: t("common.delete"),
                  icon: <IconTrash size={16} />,
                  color: "red",
                  testId: "source-delete",
                  confirm: (s: Source) => ({ title: t("dataflows.delete_source"), message: t("dataflows.delete_source_warning", { name: s.name }), confirm: t("common.delete"), testId: "source-delete-confirm" }),
                  onClick: async (s: Source) => {
                    await deleteSource(s.id);
                    if (shown?.id === s.id) setShown(null);
                    refresh();
                  },
                },
              ]
            : []),
        ]}
      />
      {shown && <Runs source={sources.items?.find((s) => s.id === shown.id) ?? shown} />}
      {editing && (
        <SourceForm
          key={editing === "new" ? "new" : editing.id}
          source={editing === "new" ? null : editing}
          opened
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            refresh();
          }}
        />
      )}
    </Stack>
  );
}

function fileWords(t: (key: string, options?: Record<string, unknown>) => string, file: RunFile) {
  if (file.status === "imported") return t("dataflows.file_imported", { created: file.created ?? 0, updated: file.updated ?? 0, rejected: file.rejected_rows ?? 0 });
  return file.message;
}

function Runs({ source }: { source: Source }) {
  const { t } = useTranslation();
  const runs = useRuns(source.id);
  const [report, setReport] = useState<string | null>(null);
  const job = useJob(report);
  return (
    <Stack gap="xs" data-testid="source-runs">
      <Title order={4}>{t("dataflows.runs_of", { name: source.name })}</Title>
      {source.last_error && (
        <Alert color="red" data-testid="source-last-error" title={t("dataflows.last_error")}>
          {source.last_error} {source.enabled && t("dataflows.retry_at", { at: formatDateTime(source.next_run_at) })}
        </Alert>
      )}
      <DataTable<Run>
        testId="runs-table"
        rows={runs.items}
        rowKey={(r) => r.id}
        loading={runs.isLoading}
        error={runs.error}
        pager={runs.pager}
        highlightOnHover={false}
        empty={{ message: t("dataflows.no_runs") }}
        columns={[
          { key: "when", header: t("dataflows.started"), render: (r) => formatDateTime(r.started_at ?? r.created_at) },
          { key: "trigger", header: t("dataflows.trigger"), render: (r) => t(`dataflows.trigger_${r.trigger}`) },
          { key: "status", header: t("dataflows.status"), render: (r) => <Badge color={STATUS_COLORS[r.status] ?? "gray"} data-testid="run-status">{t(`dataflows.status_${r.status}`)}</Badge> },
          {
            key: "files",
            header: t("dataflows.files"),
            render: (r) =>
              r.error ? (
                <Text size="sm" c="red" data-testid="run-error">{r.error}</Text>
              ) : r.files.length === 0 ? (
                <Text size="sm" c="dimmed">{r.status === "done" ? t("dataflows.no_new_files") : "—"}</Text>
              ) : (
                <Stack gap={2}>
                  {r.files.map((f) => (
                    <Group key={`${f.name}-${f.mtime}`} gap="xs" wrap="nowrap" data-testid={`run-file-${f.name}`}>
                      <Badge size="sm" color={STATUS_COLORS[f.status] ?? "gray"}>{t(`dataflows.status_${f.status}`)}</Badge>
                      <Text size="sm" fw={500}>{f.name}</Text>
                      <Text size="sm" c="dimmed">{fileWords(t, f)}</Text>
                      {f.job_id && (f.error_count ?? 0) > 0 && (
                        <Anchor component="button" type="button" size="sm" onClick={() => setReport(f.job_id!)} data-testid="run-file-report">
                          {t("dataflows.error_report", { count: f.error_count })}
                        </Anchor>
                      )}
                    </Group>
                  ))}
                </Stack>
              ),
          },
        ]}
      />
      <Modal opened={report !== null} onClose={() => setReport(null)} size="xl" title={t("dataflows.report_title")}>
        {job.data && <ImportReport job={job.data} />}
      </Modal>
    </Stack>
  );
}
