import { Badge, Button, Group, Modal, PasswordInput, Select, Stack, Switch, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { createUser, deleteUser, keys, updateUser, useUsers, type User, type UserPatch } from "../../api/queries/users";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { formatDateTime } from "../../components/format";
import { LANGUAGES } from "../../i18n";

const ROLES = ["viewer", "marketer", "admin"] as const;
type Role = (typeof ROLES)[number];

function NewUserForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const form = useForm({
    initialValues: { email: "", name: "", password: "", role: "marketer" as Role, language: "fr" as "en" | "fr" },
    validate: {
      email: (v) => (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v) ? null : t("contacts.form.email_invalid")),
      password: (v) => (v.length >= 10 ? null : t("settings.password_short")),
    },
  });
  async function save(values: typeof form.values) {
    try {
      await createUser(values);
      onDone();
    } catch (error) {
      if (error instanceof ApiError && error.field) form.setFieldError(error.field, error.message);
      else notifications.show({ color: "red", message: (error as Error).message });
    }
  }
  return (
    <form onSubmit={form.onSubmit(save)} noValidate>
      <Stack>
        <TextInput label={t("login.email")} required data-testid="user-email" {...form.getInputProps("email")} />
        <TextInput label={t("settings.name")} data-testid="user-name" {...form.getInputProps("name")} />
        <PasswordInput label={t("login.password")} description={t("settings.password_hint")} required data-testid="user-password" {...form.getInputProps("password")} />
        <Select label={t("settings.role")} data={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} allowDeselect={false} data-testid="user-role" {...form.getInputProps("role")} />
        <Select label={t("common.language")} data={LANGUAGES.map((l) => ({ value: l.value, label: l.label }))} allowDeselect={false} {...form.getInputProps("language")} />
        <Group justify="flex-end">
          <Button type="submit" data-testid="user-save">
            {t("common.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function UsersTab() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const queries = useQueryClient();
  const [creating, setCreating] = useState(false);
  const users = useUsers();
  const refresh = () => void queries.invalidateQueries({ queryKey: keys.users });

  async function change(user: User, body: UserPatch) {
    try {
      await updateUser(user.id, body);
      refresh();
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    }
  }

  return (
    <Stack>
      <Group justify="flex-end">
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="users-new">
          {t("settings.new_user")}
        </Button>
      </Group>
      <DataTable
        testId="users-table"
        rows={users.data}
        rowKey={(user) => user.id}
        rowProps={(user) => ({ "data-testid": `user-row-${user.email}` })}
        loading={users.isLoading}
        error={users.error}
        columns={[
          { key: "email", header: t("login.email"), sortValue: (u) => u.email, render: (u) => (
            <>{u.email} {u.id === me?.user?.id && <Badge size="xs">{t("settings.you")}</Badge>}</>
          ) },
          { key: "name", header: t("settings.name"), sortValue: (u) => u.name, render: (u) => u.name },
          { key: "role", header: t("settings.role"), sortValue: (u) => u.role, render: (u) => (
            <Select
              size="xs"
              w={140}
              disabled={u.id === me?.user?.id}
              data={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
              value={u.role}
              allowDeselect={false}
              onChange={(v) => v && void change(u, { role: v as Role })}
              aria-label={t("settings.role")}
              data-testid="user-role-select"
            />
          ) },
          { key: "active", header: t("settings.active"), render: (u) => (
            <Switch disabled={u.id === me?.user?.id} checked={u.is_active} onChange={(e) => void change(u, { is_active: e.currentTarget.checked })}
              aria-label={t("settings.active")} />
          ) },
          { key: "last_login", header: t("settings.last_login"), sortValue: (u) => u.last_login_at, render: (u) => formatDateTime(u.last_login_at) },
        ]}
        actions={[{
          key: "delete", label: t("common.delete"), icon: <IconTrash size={16} />, testId: "user-delete",
          hidden: (u) => u.id === me?.user?.id,
          confirm: (u) => ({ title: t("settings.delete_user"), message: t("settings.delete_user_warning", { email: u.email }),
            confirm: t("common.delete"), testId: "user-delete-confirm" }),
          onClick: async (u) => {
            await deleteUser(u.id);
            refresh();
          },
        }]}
      />
      <Modal opened={creating} onClose={() => setCreating(false)} title={t("settings.new_user")}>
        <NewUserForm
          onDone={() => {
            setCreating(false);
            refresh();
          }}
        />
      </Modal>
    </Stack>
  );
}
