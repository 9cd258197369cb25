import { Badge, Button, Group, Stack, Switch, Table, Text, TextInput } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap, type Template } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";

function TemplateRow({ template }: { template: Template }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [name, setName] = useState(template.name);
  async function save(body: { name?: string; archived?: boolean }) {
    await unwrap(api.PATCH("/api/templates/{template_id}", { params: { path: { template_id: template.id } }, body }));
    void queries.invalidateQueries({ queryKey: ["templates"] });
  }
  return (
    <Table.Tr data-testid={`template-row-${template.id}`}>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <TextInput size="xs" value={name} onChange={(e) => setName(e.currentTarget.value)} aria-label={t("settings.template_name")} />
          {name !== template.name && <Button size="compact-xs" onClick={() => void save({ name })}>{t("common.save")}</Button>}
        </Group>
      </Table.Td>
      <Table.Td>{template.category}</Table.Td>
      <Table.Td>{template.key ? <Badge variant="light">{t("settings.shipped")}</Badge> : null}</Table.Td>
      <Table.Td>{formatDateTime(template.created_at)}</Table.Td>
      <Table.Td>
        <Switch checked={template.archived} label={t("settings.archived")} onChange={(e) => void save({ archived: e.currentTarget.checked })} data-testid="template-archive" />
      </Table.Td>
    </Table.Tr>
  );
}

export function TemplatesTab() {
  const { t } = useTranslation();
  const [archived, setArchived] = useState(false);
  const templates = useQuery({
    queryKey: ["templates", "email", archived],
    queryFn: () => unwrap(api.GET("/api/templates", { params: { query: { kind: "email", archived } } })),
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed" size="sm" maw={640}>{t("settings.templates_hint")}</Text>
        <Switch label={t("settings.show_archived")} checked={archived} onChange={(e) => setArchived(e.currentTarget.checked)} data-testid="templates-archived" />
      </Group>
      <ErrorAlert error={templates.error} />
      <Table data-testid="templates-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("settings.template_name")}</Table.Th>
            <Table.Th>{t("settings.category")}</Table.Th>
            <Table.Th />
            <Table.Th>{t("settings.created")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{templates.data?.map((template) => <TemplateRow key={template.id} template={template} />)}</Table.Tbody>
      </Table>
    </Stack>
  );
}
