import { Anchor, Badge, Button, Group, Stack } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useCampaigns } from "../../api/queries/campaigns";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { formatDateTime, formatNumber } from "../../components/format";

export const STATUS_COLORS: Record<string, string> = { scheduled: "gray", testing: "grape", sending: "blue", sent: "green", cancelled: "red" };

export function CampaignsList() {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const campaigns = useCampaigns();
  const create = (variant: string) => (
    <Button variant={variant} leftSection={<IconPlus size={16} />} component={Link} to="/emails/campaigns/new"
      data-testid={variant === "filled" ? "campaigns-new" : "campaigns-empty-new"}>
      {t("campaigns.new")}
    </Button>
  );
  return (
    <Stack>
      {canWrite && <Group justify="flex-end">{create("filled")}</Group>}
      <DataTable
        testId="campaigns-table"
        rows={campaigns.items}
        rowKey={(c) => c.id}
        rowProps={(c) => ({ "data-testid": `campaign-row-${c.id}` })}
        loading={campaigns.isLoading}
        error={campaigns.error}
        pager={campaigns.pager}
        empty={{ message: t("campaigns.empty"), action: canWrite ? create("light") : undefined }}
        columns={[
          { key: "name", header: t("campaigns.name"), sortValue: (c) => c.name, render: (c) => (
            <>
              <Anchor component={Link} to={`/emails/campaigns/${c.id}`}>{c.name}</Anchor>
              {c.ab_test && <Badge ml="xs" size="xs" variant="outline">A/B</Badge>}
            </>
          ) },
          { key: "status", header: t("campaigns.status"), sortValue: (c) => c.status,
            render: (c) => <Badge color={STATUS_COLORS[c.status]} variant="light">{t(`campaigns.statuses.${c.status}`)}</Badge> },
          { key: "audience", header: t("campaigns.audience"), align: "right", sortValue: (c) => c.audience,
            render: (c) => formatNumber(c.audience) },
          { key: "send_at", header: t("campaigns.send_at"), sortValue: (c) => c.send_at, render: (c) => formatDateTime(c.send_at) },
        ]}
      />
    </Stack>
  );
}
