import { Center, Stack, Text, Title } from "@mantine/core";
import { IconTools } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";

export function ComingSoon({ area }: { area: string }) {
  const { t } = useTranslation();
  const notFound = area === "not_found";
  return (
    <Center mih={400} data-testid={`page-${area}`}>
      <Stack align="center" gap="xs">
        <IconTools size={48} stroke={1.2} />
        <Title order={2}>{notFound ? t("common.not_found") : t(`nav.${area}`)}</Title>
        <Text c="dimmed" ta="center" maw={420}>
          {notFound ? t("common.not_found_hint") : t("common.coming_soon")}
        </Text>
      </Stack>
    </Center>
  );
}
