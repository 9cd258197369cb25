import { Center, Stack, Text, Title } from "@mantine/core";
import { IconMapOff } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";

/** An address the product does not know (an old bookmark, a typo). */
export function NotFound() {
  const { t } = useTranslation();
  return (
    <Center mih={400} data-testid="page-not_found">
      <Stack align="center" gap="xs" maw={560}>
        <IconMapOff size={48} stroke={1.2} />
        <Title order={2}>{t("common.not_found")}</Title>
        <Text c="dimmed" ta="center">{t("common.not_found_hint")}</Text>
      </Stack>
    </Center>
  );
}
