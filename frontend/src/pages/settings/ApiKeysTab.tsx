import { Alert, Badge, Button, Code, CopyButton, Group, Modal, Select, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconKey, IconKeyOff, IconPlus } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { createApiKey, keys, revokeApiKey, useApiKeys } from "../../api/queries/users";
import { DataTable } from "../../components/DataTable";
import { formatDateTime } from "../../components/format";

const ROLES = ["viewer", "marketer", "admin"] as const;

export function ApiKeysTab() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const apiKeys = useApiKeys();
  const refresh = () => void queries.invalidateQueries({ queryKey: keys.apiKeys });
  const form = useForm({
    initialValues: { name: "", role: "marketer" as (typeof ROLES)[number] },
    validate: { name: (v) => (v.trim() ? null : t("settings.key_name_required")) },
  });

  async function create(values: typeof form.values) {
    try {
      const created = await createApiKey(values);
      setSecret(created.key);
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
          {t("settings.api_keys_hint")}
        </Text>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="keys-new">
          {t("settings.new_key")}
        </Button>
      </Group>
      <DataTable
        testId="keys-table"
        rows={apiKeys.data}
        rowKey={(key) => key.id}
        rowProps={(key) => ({ "data-testid": `key-row-${key.name}` })}
        loading={apiKeys.isLoading}
        error={apiKeys.error}
        empty={{ message: t("settings.no_keys"), action: <Button variant="light" onClick={() => setCreating(true)}>{t("settings.new_key")}</Button> }}
        columns={[
          { key: "name", header: t("settings.name"), sortValue: (k) => k.name, render: (k) => k.name },
          { key: "role", header: t("settings.role"), sortValue: (k) => k.role, render: (k) => t(`roles.${k.role}`) },
          { key: "prefix", header: t("settings.key_prefix"), render: (k) => <Code>{k.prefix}…</Code> },
          { key: "created", header: t("settings.created"), sortValue: (k) => k.created_at, render: (k) => formatDateTime(k.created_at) },
          { key: "last_used", header: t("settings.last_used"), sortValue: (k) => k.last_used_at, render: (k) => formatDateTime(k.last_used_at) },
          { key: "revoked", header: null, render: (k) => (k.revoked_at ? <Badge color="gray">{t("settings.revoked")}</Badge> : null) },
        ]}
        actions={[{
          key: "revoke", label: t("settings.revoke"), icon: <IconKeyOff size={16} />, testId: "key-revoke",
          hidden: (k) => Boolean(k.revoked_at),
          confirm: (k) => ({ title: t("settings.revoke_key"), message: t("settings.revoke_warning", { name: k.name }),
            confirm: t("settings.revoke"), testId: "key-revoke-confirm" }),
          onClick: async (k) => {
            await revokeApiKey(k.id);
            refresh();
          },
        }]}
      />
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
