import { Badge, Button, Group, Stack, Switch, Text, TextInput } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type Template } from "../../api/client";
import { keys, updateTemplate, useTemplates, type TemplatePatch } from "../../api/queries/templates";
import { DataTable } from "../../components/DataTable";
import { TemplateLanguageFilter, useTemplateLanguage } from "../../components/TemplateLanguage";
import { formatDateTime } from "../../components/format";

function useSave(template: Template) {
  const queries = useQueryClient();
  return async (body: TemplatePatch) => {
    await updateTemplate(template.id, body);
    void queries.invalidateQueries({ queryKey: keys.all });
  };
}

/** The name, renamed in place: the save button shows once it differs. */
function TemplateName({ template }: { template: Template }) {
  const { t } = useTranslation();
  const save = useSave(template);
  const [name, setName] = useState(template.name);
  return (
    <Group gap="xs" wrap="nowrap">
      <TextInput size="xs" value={name} onChange={(e) => setName(e.currentTarget.value)} aria-label={t("settings.template_name")} />
      {name !== template.name && <Button size="compact-xs" onClick={() => void save({ name })}>{t("common.save")}</Button>}
    </Group>
  );
}

function ArchiveSwitch({ template }: { template: Template }) {
  const { t } = useTranslation();
  const save = useSave(template);
  return (
    <Switch checked={template.archived} label={t("settings.archived")} onChange={(e) => void save({ archived: e.currentTarget.checked })}
      data-testid="template-archive" />
  );
}

export function TemplatesTab() {
  const { t } = useTranslation();
  const [archived, setArchived] = useState(false);
  const [language, setLanguage] = useTemplateLanguage();
  const templates = useTemplates("email", language, { archived });
  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed" size="sm" maw={640}>{t("settings.templates_hint")}</Text>
        <Group gap="md">
          <TemplateLanguageFilter value={language} onChange={setLanguage} testId="templates-language" />
          <Switch label={t("settings.show_archived")} checked={archived} onChange={(e) => setArchived(e.currentTarget.checked)} data-testid="templates-archived" />
        </Group>
      </Group>
      <DataTable
        testId="templates-table"
        rows={templates.data}
        rowKey={(template) => template.id}
        rowProps={(template) => ({ "data-testid": `template-row-${template.id}` })}
        loading={templates.isLoading}
        error={templates.error}
        empty={{ message: t("settings.no_templates") }}
        columns={[
          { key: "name", header: t("settings.template_name"), sortValue: (tp) => tp.name, render: (tp) => <TemplateName template={tp} /> },
          { key: "category", header: t("settings.category"), sortValue: (tp) => tp.category, render: (tp) => tp.category },
          { key: "shipped", header: null, render: (tp) => (tp.key ? <Badge variant="light">{t("settings.shipped")}</Badge> : null) },
          { key: "created", header: t("settings.created"), sortValue: (tp) => tp.created_at, render: (tp) => formatDateTime(tp.created_at) },
          { key: "archived", header: null, render: (tp) => <ArchiveSwitch template={tp} /> },
        ]}
      />
    </Stack>
  );
}
