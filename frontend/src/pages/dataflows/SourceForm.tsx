// Create or change an import source: where its files are, which columns fill which fields (read
// from a sample file with the import wizard's mapping), when it runs and what it does with a file read.
import { Alert, Button, FileButton, Group, Modal, Radio, Stack, Switch, Text, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconFileSpreadsheet } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, multipart, unwrap, type ImportPreview } from "../../api/client";
import { createSource, updateSource, type Source, type SourceIn } from "../../api/queries/dataflows";
import { ErrorAlert } from "../../components/ErrorAlert";
import { ColumnMapping, mappingProblem, type Mapping } from "../import/ColumnMapping";
import { ConnectionFields, connectionBody, emptyConnection, ScheduleFields, type ConnectionValues } from "./connection";

type Values = ConnectionValues & {
  name: string;
  pattern: string;
  frequency: "hourly" | "daily";
  time_of_day: string;
  after_read: "move" | "mark";
  enabled: boolean;
};


export function SourceForm({ source, opened, onClose, onSaved }: { source: Source | null; opened: boolean; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [mapping, setMapping] = useState<Mapping | null>(source?.mapping ?? null);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const form = useForm<Values>({
    initialValues: {
      ...emptyConnection,
      ...(source ? { kind: source.kind as "sftp" | "directory", host: source.host, port: source.port, username: source.username, directory: source.directory } : {}),
      name: source?.name ?? "",
      pattern: source?.pattern ?? "*.csv",
      frequency: (source?.frequency as Values["frequency"]) ?? "daily",
      time_of_day: source?.time_of_day ?? "06:00",
      after_read: (source?.after_read as Values["after_read"]) ?? "move",
      enabled: source?.enabled ?? true,
    },
    validate: { name: (v) => (v.trim() ? null : t("dataflows.name_required")) },
  });

  async function readSample(file: File | null) {
    if (!file) return;
    setError(null);
    try {
      const result = await unwrap(api.POST("/api/contacts/import/preview", multipart({ file })));
      setPreview(result);
      setMapping(result.suggested_mapping);
    } catch (e) {
      setError(e);
    }
  }

  async function save(values: Values) {
    setSaving(true);
    setError(null);
    const body = {
      ...connectionBody(values),
      name: values.name.trim(),
      pattern: values.pattern.trim(),
      frequency: values.frequency,
      time_of_day: values.time_of_day,
      after_read: values.after_read,
      enabled: values.enabled,
      mapping,
    };
    try {
      if (source) await updateSource(source.id, body);
      else await createSource(body as SourceIn);
      onSaved();
    } catch (e) {
      if (e instanceof ApiError && e.field && e.field in values) form.setFieldError(e.field, e.message);
      else setError(e);
    } finally {
      setSaving(false);
    }
  }

  const problem = mapping ? mappingProblem(mapping, t) : null;
  return (
    <Modal opened={opened} onClose={onClose} size="xl" title={source ? t("dataflows.edit_source") : t("dataflows.new_source")}>
      <form onSubmit={form.onSubmit(save)} noValidate>
        <Stack>
          <TextInput label={t("dataflows.name")} data-testid="source-name" {...form.getInputProps("name")} />
          <Title order={4}>{t("dataflows.where")}</Title>
          <ConnectionFields form={form} saved={source ? { ...source, source_id: source.id } : undefined} pattern={form.values.pattern} testId="source" />
          <TextInput label={t("dataflows.pattern")} description={t("dataflows.pattern_hint")} data-testid="source-pattern" {...form.getInputProps("pattern")} />
          <Title order={4}>{t("dataflows.mapping")}</Title>
          <Text size="sm" c="dimmed">
            {mapping ? t("dataflows.mapping_saved") : t("dataflows.mapping_suggested")}
          </Text>
          <Group>
            <FileButton onChange={(f) => void readSample(f)} accept=".csv,text/csv,text/plain">
              {(props) => (
                <Button variant="light" leftSection={<IconFileSpreadsheet size={16} />} data-testid="source-sample" {...props}>
                  {t("dataflows.read_sample")}
                </Button>
              )}
            </FileButton>
            {mapping && (
              <Button variant="subtle" onClick={() => { setMapping(null); setPreview(null); }} data-testid="source-mapping-clear">
                {t("dataflows.mapping_clear")}
              </Button>
            )}
          </Group>
          {preview && mapping && <ColumnMapping preview={preview} mapping={mapping} onChange={setMapping} testId="source" />}
          {!preview && mapping && (
            <Text size="sm" data-testid="source-mapping-summary">
              {Object.entries(mapping).filter(([, f]) => f).map(([c, f]) => `${c} → ${f}`).join(", ")}
            </Text>
          )}
          {problem && <Alert color="orange">{problem}</Alert>}
          <Title order={4}>{t("dataflows.schedule")}</Title>
          <ScheduleFields form={form} testId="source" />
          <Radio.Group label={t("dataflows.after_read")} {...form.getInputProps("after_read")}>
            <Stack gap={4} mt={4}>
              <Radio value="move" label={t("dataflows.after_move")} data-testid="source-after-move" />
              <Radio value="mark" label={t("dataflows.after_mark")} data-testid="source-after-mark" />
            </Stack>
          </Radio.Group>
          <Switch label={t("dataflows.enabled")} data-testid="source-enabled" {...form.getInputProps("enabled", { type: "checkbox" })} />
          <ErrorAlert error={error} testId="source-error" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={saving} disabled={Boolean(problem)} data-testid="source-save">
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
