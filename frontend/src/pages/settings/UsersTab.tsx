import { ActionIcon, Badge, Button, Group, Modal, PasswordInput, Select, Stack, Switch, Table, TextInput, Tooltip } from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, unwrap, type User } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { confirmDanger } from "../../components/confirm";
import { ErrorAlert } from "../../components/ErrorAlert";
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
      await unwrap(api.POST("/api/users", { body: values }));
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
  const users = useQuery({ queryKey: ["users"], queryFn: () => unwrap(api.GET("/api/users")) });
  const refresh = () => void queries.invalidateQueries({ queryKey: ["users"] });

  async function change(user: User, body: { role?: Role; is_active?: boolean }) {
    try {
      await unwrap(api.PATCH("/api/users/{user_id}", { params: { path: { user_id: user.id } }, body }));
      refresh();
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    }
  }

  function remove(user: User) {
    confirmDanger({
      title: t("settings.delete_user"),
      message: t("settings.delete_user_warning", { email: user.email }),
      confirm: t("common.delete"),
      testId: "user-delete-confirm",
      onConfirm: async () => {
        await unwrap(api.DELETE("/api/users/{user_id}", { params: { path: { user_id: user.id } } }));
        refresh();
      },
    });
  }

  return (
    <Stack>
      <Group justify="flex-end">
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="users-new">
          {t("settings.new_user")}
        </Button>
      </Group>
      <ErrorAlert error={users.error} />
      <Table data-testid="users-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("login.email")}</Table.Th>
            <Table.Th>{t("settings.name")}</Table.Th>
            <Table.Th>{t("settings.role")}</Table.Th>
            <Table.Th>{t("settings.active")}</Table.Th>
            <Table.Th>{t("settings.last_login")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.data?.map((user) => {
            const self = user.id === me?.user?.id;
            return (
              <Table.Tr key={user.id} data-testid={`user-row-${user.email}`}>
                <Table.Td>
                  {user.email} {self && <Badge size="xs">{t("settings.you")}</Badge>}
                </Table.Td>
                <Table.Td>{user.name}</Table.Td>
                <Table.Td>
                  <Select
                    size="xs"
                    w={140}
                    disabled={self}
                    data={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
                    value={user.role}
                    allowDeselect={false}
                    onChange={(v) => v && void change(user, { role: v as Role })}
                    data-testid="user-role-select"
                  />
                </Table.Td>
                <Table.Td>
                  <Switch disabled={self} checked={user.is_active} onChange={(e) => void change(user, { is_active: e.currentTarget.checked })} />
                </Table.Td>
                <Table.Td>{formatDateTime(user.last_login_at)}</Table.Td>
                <Table.Td>
                  {!self && (
                    <Tooltip label={t("common.delete")}>
                      <ActionIcon color="red" variant="subtle" onClick={() => remove(user)} data-testid="user-delete" aria-label={t("common.delete")}>
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Tooltip>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
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
