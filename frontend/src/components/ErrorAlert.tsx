import { Alert } from "@mantine/core";
import { IconAlertCircle } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";

export function ErrorAlert({ error, testId = "error" }: { error: unknown; testId?: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  const message = error instanceof Error ? error.message : t("common.unexpected");
  return (
    <Alert color="red" icon={<IconAlertCircle size={18} />} data-testid={testId}>
      {message}
    </Alert>
  );
}
