import { ActionIcon, Button, Group, Stack, Table, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconTrash } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ApiError, api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { confirmDanger } from "../../components/confirm";

export function TopicsTab() {
  const { t } = useTranslation();
  const { isAdmin } = useAuth();
  const queries = useQueryClient();
  const topics = useQuery({ queryKey: ["topics"], queryFn: () => unwrap(api.GET("/api/topics")) });
  const form = useForm({
    initialValues: { key: "", name_en: "", name_fr: "", description_en: "", description_fr: "" },
    validate: {
      key: (v) => (/^[a-z][a-z0-9_-]{0,63}$/.test(v) ? null : t("settings.topic_key_rule")),
      name_en: (v) => (v.trim() ? null : t("settings.field_label_required")),
      name_fr: (v) => (v.trim() ? null : t("settings.field_label_required")),
    },
  });
  async function create(values: typeof form.values) {
    try {
      await unwrap(api.POST("/api/topics", { body: values }));
      form.reset();
      void queries.invalidateQueries({ queryKey: ["topics"] });
    } catch (error) {
      if (error instanceof ApiError && error.field) form.setFieldError(error.field, error.message);
    }
  }
  return (
    <Stack>
      <Text c="dimmed" size="sm" maw={640}>{t("settings.topics_hint")}</Text>
      <Table data-testid="topics-table">
        <Table.Thead>
          <Table.Tr><Table.Th>{t("settings.field_name")}</Table.Th><Table.Th>English</Table.Th><Table.Th>Français</Table.Th><Table.Th /></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {topics.data?.map((topic) => (
            <Table.Tr key={topic.key} data-testid={`topic-row-${topic.key}`}>
              <Table.Td><code>{topic.key}</code></Table.Td>
              <Table.Td>{topic.name_en}</Table.Td>
              <Table.Td>{topic.name_fr}</Table.Td>
              <Table.Td>
                {isAdmin && (
                  <ActionIcon color="red" variant="subtle" aria-label={t("common.delete")} onClick={() => confirmDanger({
                    title: t("settings.delete_topic"), message: t("settings.delete_topic_warning", { name: topic.name_en }),
                    confirm: t("common.delete"), testId: "topic-delete-confirm",
                    onConfirm: async () => {
                      await unwrap(api.DELETE("/api/topics/{key}", { params: { path: { key: topic.key } } }));
                      void queries.invalidateQueries({ queryKey: ["topics"] });
                    },
                  })}><IconTrash size={16} /></ActionIcon>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {isAdmin && (
        <form onSubmit={form.onSubmit(create)} noValidate>
          <Group align="flex-end">
            <TextInput label={t("settings.field_name")} w={140} data-testid="topic-key" {...form.getInputProps("key")} />
            <TextInput label="English" data-testid="topic-name-en" {...form.getInputProps("name_en")} />
            <TextInput label="Français" data-testid="topic-name-fr" {...form.getInputProps("name_fr")} />
            <Button type="submit" data-testid="topic-save">{t("common.create")}</Button>
          </Group>
        </form>
      )}
    </Stack>
  );
}
