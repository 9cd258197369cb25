import { Anchor, Badge, Button, Group, Stack, Table, Text } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime, formatNumber } from "../../components/format";

export const STATUS_COLORS: Record<string, string> = { scheduled: "gray", testing: "grape", sending: "blue", sent: "green", cancelled: "red" };

export function CampaignsList() {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const campaigns = useQuery({ queryKey: ["campaigns"], queryFn: () => unwrap(api.GET("/api/campaigns")), refetchInterval: 5_000 });
  return (
    <Stack>
      {canWrite && (
        <Group justify="flex-end">
          <Button leftSection={<IconPlus size={16} />} component={Link} to="/emails/campaigns/new" data-testid="campaigns-new">{t("campaigns.new")}</Button>
        </Group>
      )}
      <ErrorAlert error={campaigns.error} />
      <Table highlightOnHover data-testid="campaigns-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("campaigns.name")}</Table.Th>
            <Table.Th>{t("campaigns.status")}</Table.Th>
            <Table.Th ta="right">{t("campaigns.audience")}</Table.Th>
            <Table.Th>{t("campaigns.send_at")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {campaigns.data?.map((c) => (
            <Table.Tr key={c.id} data-testid={`campaign-row-${c.id}`}>
              <Table.Td>
                <Anchor component={Link} to={`/emails/campaigns/${c.id}`}>{c.name}</Anchor>
                {c.ab_test && <Badge ml="xs" size="xs" variant="outline">A/B</Badge>}
              </Table.Td>
              <Table.Td><Badge color={STATUS_COLORS[c.status]} variant="light">{t(`campaigns.statuses.${c.status}`)}</Badge></Table.Td>
              <Table.Td ta="right">{formatNumber(c.audience)}</Table.Td>
              <Table.Td>{formatDateTime(c.send_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {campaigns.data?.length === 0 && <Text c="dimmed" ta="center">{t("campaigns.empty")}</Text>}
    </Stack>
  );
}
