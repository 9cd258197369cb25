import { Anchor, Center, List, Stack, Text, Title } from "@mantine/core";
import { IconTools } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

// Where the marketer finds statistics while the reports are being built.
const MEANWHILE = [
  { key: "campaigns", to: "/emails/campaigns" },
  { key: "journeys", to: "/journeys" },
  { key: "events", to: "/events" },
] as const;

export function ComingSoon({ area }: { area: string }) {
  const { t } = useTranslation();
  const notFound = area === "not_found";
  return (
    <Center mih={400} data-testid={`page-${area}`}>
      <Stack align="center" gap="xs" maw={560}>
        <IconTools size={48} stroke={1.2} />
        <Title order={2}>{notFound ? t("common.not_found") : t(`nav.${area}`)}</Title>
        {notFound ? (
          <Text c="dimmed" ta="center">{t("common.not_found_hint")}</Text>
        ) : (
          <>
            <Text ta="center">{t("reports.building")}</Text>
            <Text c="dimmed" ta="center">{t("reports.meanwhile")}</Text>
            <List spacing={4}>
              {MEANWHILE.map(({ key, to }) => (
                <List.Item key={key}>
                  <Anchor component={Link} to={to} data-testid={`reports-${key}`}>{t(`reports.${key}`)}</Anchor>
                </List.Item>
              ))}
            </List>
          </>
        )}
      </Stack>
    </Center>
  );
}
