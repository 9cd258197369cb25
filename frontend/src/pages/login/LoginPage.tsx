import { Alert, Button, Center, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { IconAlertCircle } from "@tabler/icons-react";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { LanguageSwitch } from "../../components/Layout";

export function LoginPage() {
  const { t } = useTranslation();
  const { login } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!email.trim() || !password) {
      setError(t("login.missing"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await login(email.trim(), password);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? t("login.wrong") : (e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" bg="gray.0">
      <Paper component="form" onSubmit={submit} withBorder shadow="sm" p="xl" w={380} noValidate>
        <Stack>
          <Group justify="space-between">
            <Group gap="xs">
              <img src="/favicon.svg" alt="" width={32} height={32} />
              <Title order={2}>Parcours</Title>
            </Group>
            <LanguageSwitch />
          </Group>
          <Text c="dimmed" size="sm">
            {t("login.intro")}
          </Text>
          {error && (
            <Alert color="red" icon={<IconAlertCircle size={18} />} data-testid="login-error">
              {error}
            </Alert>
          )}
          <TextInput
            label={t("login.email")}
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            data-testid="login-email"
            required
            autoFocus
          />
          <PasswordInput
            label={t("login.password")}
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            data-testid="login-password"
            required
          />
          <Button type="submit" loading={busy} data-testid="login-submit" fullWidth>
            {t("login.submit")}
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}
