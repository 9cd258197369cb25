import { Alert, Anchor, Badge, Button, Card, Group, Loader, Progress, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { AreaChart } from "@mantine/charts";
import { IconTrophy } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { type Schemas } from "../../api/client";
import { cancelCampaign, decideCampaign, keys, useCampaign } from "../../api/queries/campaigns";
import { useAuth } from "../../auth/AuthProvider";
import { LeftOutTable } from "../../components/AudienceConfirm";
import { DataTable } from "../../components/DataTable";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime, formatNumber } from "../../components/format";
import { STATUS_COLORS } from "./CampaignsList";

const percent = (value: number) => formatNumber(value, { style: "percent", maximumFractionDigits: 1 });

function Stat({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed">{label}</Text>
      <Text fw={700} size="xl" data-testid={testId}>{value}</Text>
    </Card>
  );
}

export function CampaignPage() {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const id = Number(useParams().id);
  const queries = useQueryClient();
  const campaign = useCampaign(id);
  if (campaign.isLoading) return <Loader />;
  if (campaign.error || !campaign.data) return <ErrorAlert error={campaign.error} />;
  const c = campaign.data;
  const totals = c.totals;

  async function decideNow() {
    await decideCampaign(id);
    void queries.invalidateQueries({ queryKey: keys.campaign(id) });
  }

  async function cancel() {
    await cancelCampaign(id);
    void queries.invalidateQueries({ queryKey: keys.campaign(id) });
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={3} data-testid="campaign-title">{c.name}</Title>
          <Badge color={STATUS_COLORS[c.status]} data-testid="campaign-status">{t(`campaigns.statuses.${c.status}`)}</Badge>
        </Group>
        <Group gap="xs">
          <Anchor component={Link} to={`/emails/${c.email_id}`}>{t("campaigns.open_email")}</Anchor>
          <Anchor component={Link} to={`/emails/outbox`}>{t("campaigns.see_outbox")}</Anchor>
          {canWrite && ["scheduled", "testing", "sending"].includes(c.status) && (
            <Button color="red" variant="light" onClick={() => void cancel()} data-testid="campaign-cancel">{t("campaigns.cancel")}</Button>
          )}
        </Group>
      </Group>
      <Text size="sm" c="dimmed">{t("campaigns.summary", { count: c.audience, audience: formatNumber(c.audience), when: formatDateTime(c.send_at) })}</Text>
      <Progress value={c.progress * 100} size="lg" animated={c.status === "sending" || c.status === "testing"} aria-label={t("common.progress")} data-testid="campaign-progress" />
      {c.winner && (
        <Alert color="green" icon={<IconTrophy />} data-testid="campaign-winner">
          {t("campaigns.winner", { variant: c.winner, confidence: percent(c.winner_confidence ?? 0) })}
        </Alert>
      )}
      {c.status === "testing" && (
        <Alert color="grape" data-testid="campaign-testing">
          <Group justify="space-between">
            <Text size="sm">{t("campaigns.testing_hint")}</Text>
            {canWrite && <Button size="xs" onClick={() => void decideNow()} data-testid="campaign-decide">{t("campaigns.decide_now")}</Button>}
          </Group>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, sm: 4, lg: 8 }}>
        <Stat label={t("campaigns.stats.sent")} value={formatNumber(totals.sent)} testId="stat-sent" />
        {totals.captured > 0 && totals.delivered === 0 ? (
          <Stat label={t("campaigns.stats.captured")} value={formatNumber(totals.captured)} testId="stat-captured" />
        ) : (
          <Stat label={t("campaigns.stats.delivered")} value={formatNumber(totals.delivered)} testId="stat-delivered" />
        )}
        <Stat label={t("campaigns.stats.bounced")} value={formatNumber(totals.bounced)} testId="stat-bounced" />
        <Stat label={t("campaigns.stats.unique_opens")} value={`${formatNumber(totals.unique_opens)} · ${percent(totals.open_rate)}`} testId="stat-opens" />
        <Stat label={t("campaigns.stats.opens")} value={formatNumber(totals.opens)} testId="stat-all-opens" />
        <Stat label={t("campaigns.stats.unique_clicks")} value={`${formatNumber(totals.unique_clicks)} · ${percent(totals.click_rate)}`} testId="stat-clicks" />
        <Stat label={t("campaigns.stats.click_to_open")} value={percent(totals.click_to_open)} testId="stat-cto" />
        <Stat label={t("campaigns.stats.unsubscribes")} value={formatNumber(totals.unsubscribes)} testId="stat-unsubscribes" />
      </SimpleGrid>
      {totals.suppressed > 0 && <Text size="sm" c="dimmed" data-testid="stat-suppressed">{t("campaigns.suppressed", { count: totals.suppressed })}</Text>}
      {c.left_out.length > 0 && (
        <Card withBorder data-testid="campaign-left-out-card">
          <Text fw={600}>{t("campaigns.left_out_title", { count: c.left_out.reduce((sum, r) => sum + r.count, 0) })}</Text>
          <Text size="sm" c="dimmed" mb="xs">{t("campaigns.left_out_hint")}</Text>
          <LeftOutTable leftOut={c.left_out} testId="campaign-left-out" />
        </Card>
      )}
      <Card withBorder>
        <Text fw={600} mb="sm">{t("campaigns.over_time")}</Text>
        {c.over_time.length > 0 ? (
          <AreaChart h={240} data={c.over_time.map((p: Schemas["Point"]) => ({ ...p, at: formatDateTime(p.at) }))} dataKey="at" data-testid="campaign-chart"
            series={[{ name: "opens", label: t("campaigns.stats.unique_opens"), color: "indigo.6" }, { name: "clicks", label: t("campaigns.stats.unique_clicks"), color: "teal.6" }]} />
        ) : (
          <Text c="dimmed" size="sm">{t("campaigns.no_activity")}</Text>
        )}
      </Card>
      {c.variants.length > 0 && (
        <DataTable
          testId="campaign-variants"
          rows={c.variants}
          rowKey={(v) => v.key}
          rowProps={(v) => ({ "data-testid": `variant-row-${v.key}` })}
          columns={[
            { key: "variant", header: t("campaigns.variant"), sortValue: (v) => v.key,
              render: (v) => <Text fw={700} span>{v.key} {c.winner === v.key && <IconTrophy size={14} />}</Text> },
            { key: "sent", header: t("campaigns.stats.sent"), align: "right", sortValue: (v) => v.sent, render: (v) => formatNumber(v.sent) },
            { key: "open_rate", header: t("campaigns.stats.open_rate"), align: "right", sortValue: (v) => v.open_rate, render: (v) => percent(v.open_rate) },
            { key: "click_rate", header: t("campaigns.stats.click_rate"), align: "right", sortValue: (v) => v.click_rate, render: (v) => percent(v.click_rate) },
          ]}
        />
      )}
    </Stack>
  );
}
