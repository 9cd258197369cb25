import { ActionIcon, Badge, Button, Group, Modal, Select, Stack, Table, TagsInput, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, unwrap, type CustomField } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { confirmDanger } from "../../components/confirm";
import { ErrorAlert } from "../../components/ErrorAlert";

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
  const fields = useQuery({ queryKey: ["custom-fields"], queryFn: () => unwrap(api.GET("/api/custom-fields")) });
  const refresh = () => void queries.invalidateQueries({ queryKey: ["custom-fields"] });
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
      await unwrap(api.POST("/api/custom-fields", { body: { ...values, choices: values.type === "choice" ? values.choices : [] } }));
      setCreating(false);
      form.reset();
      refresh();
    } catch (error) {
      if (error instanceof ApiError && error.field) form.setFieldError(error.field, error.message);
    }
  }

  function remove(field: CustomField) {
    confirmDanger({
      title: t("settings.delete_field"),
      message: t("settings.delete_field_warning", { label: field.label }),
      confirm: t("common.delete"),
      testId: "field-delete-confirm",
      onConfirm: async () => {
        await unwrap(api.DELETE("/api/custom-fields/{field_id}", { params: { path: { field_id: field.id } } }));
        refresh();
      },
    });
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
      <ErrorAlert error={fields.error} />
      <Table data-testid="fields-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("settings.field_label")}</Table.Th>
            <Table.Th>{t("settings.field_name")}</Table.Th>
            <Table.Th>{t("settings.field_type")}</Table.Th>
            <Table.Th>{t("settings.field_choices")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {fields.data?.map((field) => (
            <Table.Tr key={field.id} data-testid={`field-row-${field.name}`}>
              <Table.Td>{field.label}</Table.Td>
              <Table.Td>
                <code>{field.name}</code>
              </Table.Td>
              <Table.Td>{t(`settings.types.${field.type}`)}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {field.choices.map((c) => (
                    <Badge key={c} variant="light" size="sm">
                      {c}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>
                {isAdmin && (
                  <ActionIcon color="red" variant="subtle" onClick={() => remove(field)} aria-label={t("common.delete")} data-testid="field-delete">
                    <IconTrash size={16} />
                  </ActionIcon>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {fields.data?.length === 0 && (
        <Text c="dimmed" ta="center">
          {t("settings.no_fields")}
        </Text>
      )}
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
