import { Button, Group, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { createTopic, deleteTopic, keys, useTopics } from "../../api/queries/topics";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";

export function TopicsTab() {
  const { t } = useTranslation();
  const { isAdmin } = useAuth();
  const queries = useQueryClient();
  const topics = useTopics();
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
      await createTopic(values);
      form.reset();
      void queries.invalidateQueries({ queryKey: keys.all });
    } catch (error) {
      if (error instanceof ApiError && error.field) form.setFieldError(error.field, error.message);
    }
  }
  return (
    <Stack>
      <Text c="dimmed" size="sm" maw={640}>{t("settings.topics_hint")}</Text>
      <DataTable
        testId="topics-table"
        rows={topics.data}
        rowKey={(topic) => topic.key}
        rowProps={(topic) => ({ "data-testid": `topic-row-${topic.key}` })}
        loading={topics.isLoading}
        error={topics.error}
        empty={{ message: t("settings.no_topics") }}
        columns={[
          { key: "key", header: t("settings.field_name"), sortValue: (topic) => topic.key, render: (topic) => <code>{topic.key}</code> },
          { key: "name_en", header: "English", sortValue: (topic) => topic.name_en, render: (topic) => topic.name_en },
          { key: "name_fr", header: "Français", sortValue: (topic) => topic.name_fr, render: (topic) => topic.name_fr },
        ]}
        actions={isAdmin ? [{
          key: "delete", label: t("common.delete"), icon: <IconTrash size={16} />, testId: "topic-delete",
          confirm: (topic) => ({ title: t("settings.delete_topic"), message: t("settings.delete_topic_warning", { name: topic.name_en }),
            confirm: t("common.delete"), testId: "topic-delete-confirm" }),
          onClick: async (topic) => {
            await deleteTopic(topic.key);
            void queries.invalidateQueries({ queryKey: keys.all });
          },
        }] : []}
      />
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
