import { Group, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** A report page's title, what it answers, and its actions (CSV...). */
export function ReportHeader({ page, children }: { page: string; children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Group justify="space-between" align="start">
      <Stack gap={2}>
        <Title order={2}>{t(`reports.pages.${page}.title`)}</Title>
        <Text c="dimmed" size="sm">{t(`reports.pages.${page}.description`)}</Text>
      </Stack>
      <Group gap="xs">{children}</Group>
    </Group>
  );
}
