// The connection part of a source or an export: an SFTP server (password or private key, never
// shown again once saved) or a directory of the server, with a test that says what it finds.
import { Alert, Button, Group, NumberInput, PasswordInput, SegmentedControl, Select, Stack, Text, Textarea, TextInput } from "@mantine/core";
import type { UseFormReturnType } from "@mantine/form";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { testConnection, type ConnectionTestIn } from "../../api/queries/dataflows";
import { useOrganization } from "../../api/queries/organization";
import { ErrorAlert } from "../../components/ErrorAlert";

export type ConnectionValues = {
  kind: "sftp" | "directory";
  host: string;
  port: number;
  username: string;
  password: string;
  private_key: string;
  directory: string;
};

export const emptyConnection: ConnectionValues = { kind: "sftp", host: "", port: 22, username: "", password: "", private_key: "", directory: "" };

/** The connection as the API takes it: a password or key left empty keeps the saved one. */
export function connectionBody(values: ConnectionValues) {
  const body: Omit<ConnectionTestIn, "pattern" | "source_id" | "export_id"> = {
    kind: values.kind,
    host: values.host.trim(),
    port: values.port,
    username: values.username.trim(),
    directory: values.directory.trim(),
  };
  if (values.password) body.password = values.password;
  if (values.private_key.trim()) body.private_key = values.private_key;
  return body;
}

/** "Every day at 06:00 (Europe/Paris)" or "Every hour, on the hour". */
export function scheduleWords(t: TFunction, frequency: string, time: string, zone: string | undefined) {
  return frequency === "hourly" ? t("dataflows.every_hour") : t("dataflows.every_day", { time, zone: zone ?? "UTC" });
}

const HOURS = Array.from({ length: 48 }, (_, i) => `${String(Math.floor(i / 2)).padStart(2, "0")}:${i % 2 ? "30" : "00"}`);

type ScheduleValues = { frequency: "daily" | "hourly"; time_of_day: string };

/** When a source or an export runs (hourly, or daily at a time), and the same said in words in
 * the organization's time zone. */
export function ScheduleFields<T extends ScheduleValues>({ form, testId }: { form: UseFormReturnType<T>; testId: string }) {
  const { t } = useTranslation();
  const organization = useOrganization();
  return (
    <>
      <Group align="flex-end">
        <Select
          label={t("dataflows.frequency")}
          data={[{ value: "daily", label: t("dataflows.daily") }, { value: "hourly", label: t("dataflows.hourly") }]}
          allowDeselect={false}
          data-testid={`${testId}-frequency`}
          {...form.getInputProps("frequency")}
        />
        {form.values.frequency === "daily" && (
          <Select label={t("dataflows.time")} data={HOURS} searchable allowDeselect={false} data-testid={`${testId}-time`} {...form.getInputProps("time_of_day")} />
        )}
      </Group>
      <Text size="sm" data-testid={`${testId}-schedule-words`}>
        {scheduleWords(t, form.values.frequency, form.values.time_of_day, organization.data?.timezone)}
      </Text>
    </>
  );
}

export function ConnectionFields<T extends ConnectionValues>({
  form,
  saved,
  pattern,
  testId,
}: {
  form: UseFormReturnType<T>;
  saved?: { source_id?: number; export_id?: number; has_password: boolean; has_private_key: boolean; host_key_fingerprint: string | null };
  pattern?: string;
  testId: string;
}) {
  const { t } = useTranslation();
  const [result, setResult] = useState<{ ok: boolean; message: string; files?: string[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [testing, setTesting] = useState(false);
  const values = form.values;

  async function test() {
    setTesting(true);
    setError(null);
    setResult(null);
    try {
      const { source_id, export_id } = saved ?? {};
      setResult(await testConnection({ ...connectionBody(values), pattern: pattern || "*", source_id, export_id }));
    } catch (e) {
      setError(e);
    } finally {
      setTesting(false);
    }
  }

  return (
    <Stack gap="sm">
      <div>
        <Text size="sm" fw={500} id={`${testId}-kind-label`}>
          {t("dataflows.kind")}
        </Text>
        <SegmentedControl
          aria-labelledby={`${testId}-kind-label`}
          data={[
            { value: "sftp", label: t("dataflows.kind_sftp") },
            { value: "directory", label: t("dataflows.kind_directory") },
          ]}
          data-testid={`${testId}-kind`}
          {...form.getInputProps("kind")}
        />
      </div>
      {values.kind === "sftp" && (
        <>
          <Group grow align="flex-start">
            <TextInput label={t("dataflows.host")} data-testid={`${testId}-host`} {...form.getInputProps("host")} />
            <NumberInput label={t("dataflows.port")} min={1} max={65535} maw={120} data-testid={`${testId}-port`} {...form.getInputProps("port")} />
          </Group>
          <TextInput label={t("dataflows.username")} data-testid={`${testId}-username`} {...form.getInputProps("username")} />
          <PasswordInput
            label={t("dataflows.password")}
            description={saved?.has_password ? t("dataflows.secret_kept") : t("dataflows.password_hint")}
            autoComplete="new-password"
            data-testid={`${testId}-password`}
            {...form.getInputProps("password")}
          />
          <Textarea
            label={t("dataflows.private_key")}
            description={saved?.has_private_key ? t("dataflows.secret_kept") : t("dataflows.private_key_hint")}
            autosize
            minRows={2}
            maxRows={6}
            styles={{ input: { fontFamily: "monospace" } }}
            data-testid={`${testId}-private-key`}
            {...form.getInputProps("private_key")}
          />
          {saved?.host_key_fingerprint && (
            <Text size="xs" c="dimmed" data-testid={`${testId}-host-key`}>
              {t("dataflows.host_key", { fingerprint: saved.host_key_fingerprint })}
            </Text>
          )}
        </>
      )}
      <TextInput
        label={t("dataflows.directory")}
        description={values.kind === "sftp" ? t("dataflows.directory_sftp_hint") : t("dataflows.directory_server_hint")}
        data-testid={`${testId}-directory`}
        {...form.getInputProps("directory")}
      />
      <Group>
        <Button variant="light" onClick={() => void test()} loading={testing} data-testid={`${testId}-test`}>
          {t("dataflows.test")}
        </Button>
      </Group>
      <ErrorAlert error={error} testId={`${testId}-test-error`} />
      {result && (
        <Alert color={result.ok ? "green" : "red"} data-testid={`${testId}-test-result`}>
          <Text size="sm">{result.message}</Text>
          {result.files && result.files.length > 0 && (
            <Text size="xs" c="dimmed">
              {result.files.slice(0, 10).join(", ")}
            </Text>
          )}
        </Alert>
      )}
    </Stack>
  );
}
