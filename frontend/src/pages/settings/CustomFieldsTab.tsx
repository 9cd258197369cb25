import { Badge, Button, Group, Modal, Select, Stack, TagsInput, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { createField, deleteField, keys, useCustomFields } from "../../api/queries/fields";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";

const TYPES = ["text", "number", "date", "boolean", "choice"] as const;

/** "Loyalty tier" -> "loyalty_tier": the key used in the API, rules and templates. */
function keyOf(label: string): string {
  return label
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .replace(/^(\d)/, "f_$1")
    .slice(0, 40);
}

export function CustomFieldsTab() {
  const { t } = useTranslation();
  const { isAdmin } = useAuth();
  const queries = useQueryClient();
  const [creating, setCreating] = useState(false);
  const fields = useCustomFields();
  const refresh = () => void queries.invalidateQueries({ queryKey: keys.all });
  const form = useForm({
    initialValues: { label: "", name: "", type: "text" as (typeof TYPES)[number], choices: [] as string[] },
    validate: {
      label: (v) => (v.trim() ? null : t("settings.field_label_required")),
      name: (v) => (/^[a-z][a-z0-9_]{0,39}$/.test(v) ? null : t("settings.field_name_rule")),
      choices: (v, values) => (values.type === "choice" && v.length === 0 ? t("settings.field_choices_required") : null),
    },
  });

  async function create(values: typeof form.values) {
    try {
      await createField({ ...values, choices: values.type === "choice" ? values.choices : [] });
      setCreating(false);
      form.reset();
      refresh();
    } catch (error) {
      if (error instanceof ApiError && error.field) form.setFieldError(error.field, error.message);
    }
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed" size="sm" maw={600}>
          {t("settings.custom_fields_hint")}
        </Text>
        {isAdmin && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="fields-new">
            {t("settings.new_field")}
          </Button>
        )}
      </Group>
      <DataTable
        testId="fields-table"
        rows={fields.data}
        rowKey={(field) => field.id}
        rowProps={(field) => ({ "data-testid": `field-row-${field.name}` })}
        loading={fields.isLoading}
        error={fields.error}
        empty={{
          message: t("settings.no_fields"),
          action: isAdmin ? <Button variant="light" onClick={() => setCreating(true)}>{t("settings.new_field")}</Button> : undefined,
        }}
        columns={[
          { key: "label", header: t("settings.field_label"), sortValue: (f) => f.label, render: (f) => f.label },
          { key: "name", header: t("settings.field_name"), sortValue: (f) => f.name, render: (f) => <code>{f.name}</code> },
          { key: "type", header: t("settings.field_type"), sortValue: (f) => f.type, render: (f) => t(`settings.types.${f.type}`) },
          { key: "choices", header: t("settings.field_choices"), render: (f) => (
            <Group gap={4}>
              {f.choices.map((c) => <Badge key={c} variant="light" size="sm">{c}</Badge>)}
            </Group>
          ) },
        ]}
        actions={isAdmin ? [{
          key: "delete", label: t("common.delete"), icon: <IconTrash size={16} />, testId: "field-delete",
          confirm: (f) => ({ title: t("settings.delete_field"), message: t("settings.delete_field_warning", { label: f.label }),
            confirm: t("common.delete"), testId: "field-delete-confirm" }),
          onClick: async (f) => {
            await deleteField(f.id);
            refresh();
          },
        }] : []}
      />
      <Modal opened={creating} onClose={() => setCreating(false)} title={t("settings.new_field")}>
        <form onSubmit={form.onSubmit(create)} noValidate>
          <Stack>
            <TextInput
              label={t("settings.field_label")}
              data-testid="field-label"
              {...form.getInputProps("label")}
              onChange={(e) => {
                const label = e.currentTarget.value;
                const followsLabel = form.values.name === keyOf(form.values.label);
                form.setFieldValue("label", label);
                if (followsLabel) form.setFieldValue("name", keyOf(label));
              }}
            />
            <TextInput label={t("settings.field_name")} description={t("settings.field_name_rule")} data-testid="field-name" {...form.getInputProps("name")} />
            <Select
              label={t("settings.field_type")}
              data={TYPES.map((type) => ({ value: type, label: t(`settings.types.${type}`) }))}
              allowDeselect={false}
              data-testid="field-type"
              {...form.getInputProps("type")}
            />
            {form.values.type === "choice" && (
              <TagsInput label={t("settings.field_choices")} description={t("settings.field_choices_hint")} data-testid="field-choices" {...form.getInputProps("choices")} />
            )}
            <Group justify="flex-end">
              <Button type="submit" data-testid="field-save">
                {t("common.create")}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
