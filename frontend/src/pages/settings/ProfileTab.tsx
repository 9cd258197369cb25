import { Button, Group, Paper, PasswordInput, Select, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { useTranslation } from "react-i18next";
import { ApiError, api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { LANGUAGES } from "../../i18n";

export function ProfileTab() {
  const { t } = useTranslation();
  const { me, setLanguage } = useAuth();
  const form = useForm({
    initialValues: { name: me?.user?.name ?? "", password: "", confirm: "" },
    validate: {
      password: (v) => (v && v.length < 10 ? t("settings.password_short") : null),
      confirm: (v, values) => (v !== values.password ? t("settings.password_mismatch") : null),
    },
  });
  if (!me?.user) return <Text c="dimmed">{t("settings.api_key_profile")}</Text>;

  async function save(values: typeof form.values) {
    try {
      await unwrap(api.PATCH("/api/auth/me", { body: { name: values.name, ...(values.password ? { password: values.password } : {}) } }));
      notifications.show({ color: "green", message: t("settings.profile_saved") });
      form.setValues({ password: "", confirm: "" });
    } catch (error) {
      if (error instanceof ApiError && error.field) form.setFieldError(error.field, error.message);
      else notifications.show({ color: "red", message: (error as Error).message });
    }
  }

  return (
    <Paper withBorder p="md" maw={520}>
      <form onSubmit={form.onSubmit(save)} noValidate>
        <Stack>
          <TextInput label={t("login.email")} value={me.user.email} disabled />
          <TextInput label={t("settings.name")} data-testid="profile-name" {...form.getInputProps("name")} />
          <Select
            label={t("common.language")}
            data={LANGUAGES.map((l) => ({ value: l.value, label: l.label }))}
            value={me.user.language}
            allowDeselect={false}
            onChange={(v) => v && void setLanguage(v as "en" | "fr")}
            data-testid="profile-language"
          />
          <PasswordInput label={t("settings.new_password")} description={t("settings.password_hint")} data-testid="profile-password" {...form.getInputProps("password")} />
          <PasswordInput label={t("settings.confirm_password")} data-testid="profile-confirm" {...form.getInputProps("confirm")} />
          <Group justify="flex-end">
            <Button type="submit" data-testid="profile-save">
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
