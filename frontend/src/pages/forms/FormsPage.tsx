import { Anchor, Badge, Button, Card, Group, Modal, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { ApiError } from "../../api/client";
import { createForm, deleteForm, keys, useFormStats, useForms, type Form } from "../../api/queries/forms";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { formatNumber, formatRelative } from "../../components/format";
import { TEMPLATES, fromTemplate, type TemplateKey } from "./templates";

export function FormStatus({ form }: { form: Pick<Form, "status"> }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={form.status === "published" ? "green" : "gray"} data-testid="form-status">
      {t(`forms.status.${form.status}`)}
    </Badge>
  );
}

/** One figure of a published form's statistics (a draft has none yet). */
function Figure({ formId, published, figure }: { formId: number; published: boolean; figure: "submissions" | "conversion_rate" }) {
  const stats = useFormStats(formId, published);
  if (!published) return <Text c="dimmed" size="sm">—</Text>;
  const value = stats.data?.[figure];
  if (value === undefined) return null;
  return (
    <span data-testid={`form-row-${figure}`}>
      {figure === "conversion_rate" ? formatNumber(value, { style: "percent", maximumFractionDigits: 1 }) : formatNumber(value)}
    </span>
  );
}

function NewForm({ onClose }: { onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [template, setTemplate] = useState<TemplateKey | null>("newsletter");
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create() {
    if (!name.trim()) return setError(t("forms.name_required"));
    setBusy(true);
    try {
      const form = await createForm(fromTemplate(template, name.trim(), i18n.language === "fr" ? "fr" : "en"));
      void queries.invalidateQueries({ queryKey: keys.all });
      onClose();
      navigate(`/forms/${form.id}`);
    } catch (e) {
      setError(e instanceof ApiError && e.field && e.field !== "name" ? `${e.message} (${e.field})` : (e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => { e.preventDefault(); void create(); }} noValidate>
      <Stack>
        <Text fw={600}>{t("forms.start_from")}</Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }} role="radiogroup" aria-label={t("forms.start_from")}>
          {[...TEMPLATES, null].map((key) => (
            <Card key={key ?? "blank"} withBorder padding="sm" component="button" type="button" role="radio" aria-checked={template === key}
              onClick={() => setTemplate(key)} data-testid={`form-template-${key ?? "blank"}`}
              style={{ textAlign: "left", cursor: "pointer", outline: template === key ? "2px solid var(--mantine-color-indigo-6)" : undefined }}>
              <Text fw={600} size="sm">{t(`forms.templates.${key ?? "blank"}.name`)}</Text>
              <Text size="xs" c="dimmed">{t(`forms.templates.${key ?? "blank"}.description`)}</Text>
            </Card>
          ))}
        </SimpleGrid>
        <TextInput label={t("forms.name")} description={t("forms.name_hint")} value={name} error={error} data-autofocus
          onChange={(e) => { setName(e.currentTarget.value); setError(null); }} data-testid="form-new-name" />
        <Group justify="flex-end">
          <Button type="submit" loading={busy} data-testid="form-create">{t("forms.create")}</Button>
        </Group>
      </Stack>
    </form>
  );
}

export function FormsPage() {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const [creating, setCreating] = useState(false);
  const forms = useForms();

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("forms.title")}</Title>
        {canWrite && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="forms-new">{t("forms.new")}</Button>
        )}
      </Group>
      <DataTable
        testId="forms-table"
        rows={forms.items}
        rowKey={(f) => f.id}
        rowProps={(f) => ({ "data-testid": `form-row-${f.id}` })}
        loading={forms.isLoading}
        error={forms.error}
        pager={forms.pager}
        empty={{
          message: t("forms.empty"),
          action: canWrite ? <Button variant="light" onClick={() => setCreating(true)} data-testid="forms-new-empty">{t("forms.new")}</Button> : undefined,
        }}
        columns={[
          { key: "name", header: t("forms.name"), sortValue: (f) => f.name, render: (f) => (
            <Anchor component={Link} to={`/forms/${f.id}`} data-testid="form-row-name">{f.name}</Anchor>
          ) },
          { key: "status", header: t("forms.status_label"), sortValue: (f) => f.status, render: (f) => <FormStatus form={f} /> },
          { key: "submissions", header: t("forms.stats.submissions"), align: "right",
            render: (f) => <Figure formId={f.id} published={f.status === "published"} figure="submissions" /> },
          { key: "conversion", header: t("forms.stats.conversion"), align: "right",
            render: (f) => <Figure formId={f.id} published={f.status === "published"} figure="conversion_rate" /> },
          { key: "updated", header: t("forms.updated"), sortValue: (f) => f.updated_at, render: (f) => formatRelative(f.updated_at) },
        ]}
        actions={canWrite ? [{
          key: "delete", label: t("common.delete"), icon: <IconTrash size={16} />, testId: "form-delete",
          confirm: (f) => ({
            title: t("forms.delete_title"),
            message: t(f.status === "published" ? "forms.delete_warning_published" : "forms.delete_warning", { name: f.name }),
            confirm: t("common.delete"), testId: "form-delete-confirm",
          }),
          onClick: async (f) => {
            await deleteForm(f.id);
            void queries.invalidateQueries({ queryKey: keys.all });
          },
        }] : []}
      />
      <Modal opened={creating} onClose={() => setCreating(false)} title={t("forms.new")} size="lg">
        <NewForm onClose={() => setCreating(false)} />
      </Modal>
    </Stack>
  );
}
