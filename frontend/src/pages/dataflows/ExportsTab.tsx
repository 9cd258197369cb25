// A segment's members as CSV with the fields the marketer picks (any rule field: computed fields
// and scores appear by themselves): downloaded now, or written on a schedule to a server.
import { Badge, Button, Group, Modal, MultiSelect, Select, Stack, Switch, Text, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconDownload, IconEdit, IconPlayerPlay, IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import {
  createExport,
  deleteExport,
  downloadUrl,
  keys,
  runExport,
  updateExport,
  useExports,
  type ExportIn,
  type ScheduledExport,
} from "../../api/queries/dataflows";
import { useOrganization } from "../../api/queries/organization";
import { useRuleFields } from "../../api/queries/rules";
import { useSegments } from "../../api/queries/segments";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { ConnectionFields, connectionBody, emptyConnection, ScheduleFields, scheduleWords, type ConnectionValues } from "./connection";
import { where } from "./SourcesTab";

const DEFAULT_FIELDS = ["email", "first_name", "last_name"];

function useFieldChoices() {
  const { i18n } = useTranslation();
  const fields = useRuleFields();
  return (fields.data ?? []).map((f) => ({ value: f.name, label: i18n.language === "fr" ? f.label_fr : f.label_en }));
}

function useSegmentChoices() {
  const segments = useSegments();
  return (segments.data ?? []).map((s) => ({ value: String(s.id), label: s.name }));
}

export function ExportsTab() {
  const { t } = useTranslation();
  const { isAdmin, canWrite } = useAuth();
  const queries = useQueryClient();
  const organization = useOrganization();
  const exports = useExports();
  const fieldChoices = useFieldChoices();
  const segmentChoices = useSegmentChoices();
  const [segment, setSegment] = useState<string | null>(null);
  const [fields, setFields] = useState<string[]>(DEFAULT_FIELDS);
  const [editing, setEditing] = useState<ScheduledExport | "new" | null>(null);
  const refresh = () => void queries.invalidateQueries({ queryKey: keys.exports });

  return (
    <Stack>
      {canWrite && (
        <>
          <Title order={4}>{t("dataflows.download_title")}</Title>
          <Group align="flex-end">
            <Select label={t("dataflows.segment")} data={segmentChoices} searchable value={segment} onChange={setSegment} w={280} data-testid="download-segment" />
            <MultiSelect label={t("dataflows.fields")} data={fieldChoices} searchable value={fields} onChange={setFields} miw={320} maw={640} data-testid="download-fields" />
            {segment && fields.length > 0 ? (
              <Button component="a" href={downloadUrl(Number(segment), fields)} download leftSection={<IconDownload size={16} />} data-testid="download-csv">
                {t("dataflows.download")}
              </Button>
            ) : (
              // A real button while nothing is chosen: a disabled link is still a link to assistive technologies.
              <Button disabled leftSection={<IconDownload size={16} />} data-testid="download-csv">
                {t("dataflows.download")}
              </Button>
            )}
          </Group>
        </>
      )}
      <Group justify="space-between" mt="md">
        <Title order={4}>{t("dataflows.scheduled_exports")}</Title>
        {isAdmin && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing("new")} data-testid="export-new">
            {t("dataflows.new_export")}
          </Button>
        )}
      </Group>
      <DataTable
        testId="exports-table"
        rows={exports.items}
        rowKey={(e) => e.id}
        rowProps={(e) => ({ "data-testid": `export-row-${e.name}` })}
        loading={exports.isLoading}
        error={exports.error}
        pager={exports.pager}
        empty={{ message: t("dataflows.no_exports") }}
        columns={[
          { key: "name", header: t("dataflows.name"), render: (e) => <Text fw={600} size="sm">{e.name}</Text> },
          { key: "segment", header: t("dataflows.segment"), render: (e) => segmentChoices.find((s) => s.value === String(e.segment_id))?.label ?? `#${e.segment_id}` },
          { key: "where", header: t("dataflows.destination"), render: (e) => where(t, e) },
          { key: "schedule", header: t("dataflows.schedule"), render: (e) => (e.enabled ? scheduleWords(t, e.frequency, e.time_of_day, organization.data?.timezone) : <Badge color="gray">{t("dataflows.paused")}</Badge>) },
          {
            key: "last",
            header: t("dataflows.last_run"),
            render: (e) =>
              e.last_error ? (
                <Text size="sm" c="red" data-testid="export-error">{e.last_error}</Text>
              ) : e.last_file ? (
                <Text size="sm">{t("dataflows.last_export", { file: e.last_file, count: e.last_rows ?? 0, at: formatDateTime(e.last_run_at) })}</Text>
              ) : (
                <Badge color="gray">{t("dataflows.never_run")}</Badge>
              ),
          },
        ]}
        actions={[
          ...(canWrite
            ? [{ key: "run", label: t("dataflows.run_now"), icon: <IconPlayerPlay size={16} />, testId: "export-run", onClick: async (e: ScheduledExport) => { await runExport(e.id); refresh(); } }]
            : []),
          ...(isAdmin
            ? [
                { key: "edit", label: t("common.edit"), icon: <IconEdit size={16} />, testId: "export-edit", onClick: (e: ScheduledExport) => setEditing(e) },
                {
                  key: "delete",
                  label: t("common.delete"),
                  icon: <IconTrash size={16} />,
                  color: "red",
                  testId: "export-delete",
                  confirm: (e: ScheduledExport) => ({ title: t("dataflows.delete_export"), message: t("dataflows.delete_export_warning", { name: e.name }), confirm: t("common.delete"), testId: "export-delete-confirm" }),
                  onClick: async (e: ScheduledExport) => {
                    await deleteExport(e.id);
                    refresh();
                  },
                },
              ]
            : []),
        ]}
      />
      {editing && (
        <ExportForm
          key={editing === "new" ? "new" : editing.id}
          saved={editing === "new" ? null : editing}
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

type Values = ConnectionValues & { name: string; segment_id: string | null; fields: string[]; frequency: "hourly" | "daily"; time_of_day: string; enabled: boolean };


function ExportForm({ saved, onClose, onSaved }: { saved: ScheduledExport | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const fieldChoices = useFieldChoices();
  const segmentChoices = useSegmentChoices();
  const [error, setError] = useState<unknown>(null);
  const form = useForm<Values>({
    initialValues: {
      ...emptyConnection,
      ...(saved ? { kind: saved.kind as "sftp" | "directory", host: saved.host, port: saved.port, username: saved.username, directory: saved.directory } : {}),
      name: saved?.name ?? "",
      segment_id: saved ? String(saved.segment_id) : null,
      fields: saved?.fields ?? DEFAULT_FIELDS,
      frequency: (saved?.frequency as Values["frequency"]) ?? "daily",
      time_of_day: saved?.time_of_day ?? "06:00",
      enabled: saved?.enabled ?? true,
    },
    validate: {
      name: (v) => (v.trim() ? null : t("dataflows.name_required")),
      segment_id: (v) => (v ? null : t("dataflows.segment_required")),
    },
  });

  async function save(values: Values) {
    setError(null);
    const body = {
      ...connectionBody(values),
      name: values.name.trim(),
      segment_id: Number(values.segment_id),
      fields: values.fields,
      frequency: values.frequency,
      time_of_day: values.time_of_day,
      enabled: values.enabled,
    };
    try {
      if (saved) await updateExport(saved.id, body);
      else await createExport(body as ExportIn);
      onSaved();
    } catch (e) {
      if (e instanceof ApiError && e.field && e.field in values) form.setFieldError(e.field, e.message);
      else setError(e);
    }
  }

  return (
    <Modal opened onClose={onClose} size="lg" title={saved ? t("dataflows.edit_export") : t("dataflows.new_export")}>
      <form onSubmit={form.onSubmit(save)} noValidate>
        <Stack>
          <TextInput label={t("dataflows.name")} data-testid="export-name" {...form.getInputProps("name")} />
          <Select label={t("dataflows.segment")} data={segmentChoices} searchable data-testid="export-segment" {...form.getInputProps("segment_id")} />
          <MultiSelect label={t("dataflows.fields")} data={fieldChoices} searchable data-testid="export-fields" {...form.getInputProps("fields")} />
          <Title order={5}>{t("dataflows.destination")}</Title>
          <ConnectionFields form={form} saved={saved ? { ...saved, export_id: saved.id } : undefined} testId="export" />
          <ScheduleFields form={form} testId="export" />
          <Switch label={t("dataflows.enabled")} data-testid="export-enabled" {...form.getInputProps("enabled", { type: "checkbox" })} />
          <ErrorAlert error={error} testId="export-form-error" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" data-testid="export-save">
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

