import { Alert, Badge, Button, Code, CopyButton, Group, Modal, Select, Stack, Table, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconKey, IconPlus } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, unwrap, type ApiKey } from "../../api/client";
import { confirmDanger } from "../../components/confirm";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";

const ROLES = ["viewer", "marketer", "admin"] as const;

export function ApiKeysTab() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const keys = useQuery({ queryKey: ["api-keys"], queryFn: () => unwrap(api.GET("/api/api-keys")) });
  const refresh = () => void queries.invalidateQueries({ queryKey: ["api-keys"] });
  const form = useForm({
    initialValues: { name: "", role: "marketer" as (typeof ROLES)[number] },
    validate: { name: (v) => (v.trim() ? null : t("settings.key_name_required")) },
  });

  async function create(values: typeof form.values) {
    try {
      const created = await unwrap(api.POST("/api/api-keys", { body: values }));
      setSecret(created.key);
      form.reset();
      refresh();
    } catch (error) {
      if (error instanceof ApiError && error.field) form.setFieldError(error.field, error.message);
    }
  }

  function revoke(key: ApiKey) {
    confirmDanger({
      title: t("settings.revoke_key"),
      message: t("settings.revoke_warning", { name: key.name }),
      confirm: t("settings.revoke"),
      testId: "key-revoke-confirm",
      onConfirm: async () => {
        await unwrap(api.DELETE("/api/api-keys/{key_id}", { params: { path: { key_id: key.id } } }));
        refresh();
      },
    });
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed" size="sm" maw={600}>
          {t("settings.api_keys_hint")}
        </Text>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="keys-new">
          {t("settings.new_key")}
        </Button>
      </Group>
      <ErrorAlert error={keys.error} />
      <Table data-testid="keys-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("settings.name")}</Table.Th>
            <Table.Th>{t("settings.role")}</Table.Th>
            <Table.Th>{t("settings.key_prefix")}</Table.Th>
            <Table.Th>{t("settings.created")}</Table.Th>
            <Table.Th>{t("settings.last_used")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.data?.map((key) => (
            <Table.Tr key={key.id} data-testid={`key-row-${key.name}`}>
              <Table.Td>{key.name}</Table.Td>
              <Table.Td>{t(`roles.${key.role}`)}</Table.Td>
              <Table.Td>
                <Code>{key.prefix}…</Code>
              </Table.Td>
              <Table.Td>{formatDateTime(key.created_at)}</Table.Td>
              <Table.Td>{formatDateTime(key.last_used_at)}</Table.Td>
              <Table.Td>
                {key.revoked_at ? (
                  <Badge color="gray">{t("settings.revoked")}</Badge>
                ) : (
                  <Button size="compact-sm" color="red" variant="subtle" onClick={() => revoke(key)} data-testid="key-revoke">
                    {t("settings.revoke")}
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Modal
        opened={creating}
        onClose={() => {
          setCreating(false);
          setSecret(null);
        }}
        title={t("settings.new_key")}
      >
        {secret ? (
          <Stack>
            <Alert color="yellow" icon={<IconKey />}>
              {t("settings.key_once")}
            </Alert>
            <Code block data-testid="key-secret">
              {secret}
            </Code>
            <CopyButton value={secret}>
              {({ copied, copy }) => (
                <Button onClick={copy} variant="light" data-testid="key-copy">
                  {copied ? t("common.copied") : t("common.copy")}
                </Button>
              )}
            </CopyButton>
          </Stack>
        ) : (
          <form onSubmit={form.onSubmit(create)} noValidate>
            <Stack>
              <TextInput label={t("settings.name")} description={t("settings.key_name_hint")} data-testid="key-name" {...form.getInputProps("name")} />
              <Select label={t("settings.role")} data={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} allowDeselect={false} data-testid="key-role" {...form.getInputProps("role")} />
              <Group justify="flex-end">
                <Button type="submit" data-testid="key-save">
                  {t("common.create")}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </Stack>
  );
}
