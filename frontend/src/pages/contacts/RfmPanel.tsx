import { Badge, Button, Card, Group, Progress, Stack, Table, Text, Title } from "@mantine/core";
import { IconRefresh } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { isFinished, useJob } from "../../api/queries/jobs";
import { keys, recomputeRfm, useContactRfm, type ContactRfm, type RfmRange } from "../../api/queries/rfm";
import { useAuth } from "../../auth/AuthProvider";
import { formatDateTime, formatMoney, formatNumber } from "../../components/format";

const GROUP_COLORS: Record<string, string> = {
  champions: "green",
  loyal: "teal",
  potential_loyalists: "cyan",
  new_customers: "blue",
  promising: "indigo",
  need_attention: "yellow",
  about_to_sleep: "orange",
  at_risk: "red",
  cant_lose_them: "red",
  hibernating: "gray",
  lost: "dark",
};

type Dimension = "recency" | "frequency" | "monetary";

/** "between 12 and 40 days", "3 orders or more"...: what a score covered at the last recompute. */
function rangeText(dimension: Dimension, range: RfmRange | undefined, t: TFunction) {
  if (!range) return "";
  const show = (value: number) => (dimension === "monetary" ? formatMoney(value) : formatNumber(value));
  if (range.low === range.high) return t(`rfm.range_one_${dimension}`, { value: show(range.low) });
  return t(`rfm.range_${dimension}`, { low: show(range.low), high: show(range.high) });
}

/** The contact's RFM: its group in plain words, the three scores with what they covered, and what
 * the contact's purchases say today (scores move at the next recompute). */
export function RfmPanel({ contactId }: { contactId: number }) {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const rfm = useContactRfm(contactId);
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJob(jobId, { onFinished: () => void queries.invalidateQueries({ queryKey: keys.contact(contactId) }) });
  const running = Boolean(job.data && !isFinished(job.data));

  async function recompute() {
    setJobId((await recomputeRfm()).job_id);
  }

  const data: ContactRfm | undefined = rfm.data;
  const period = data?.run?.period_days ?? 365;
  return (
    <Card withBorder data-testid="contact-rfm">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Title order={4}>{t("rfm.title")}</Title>
          {data?.segment && (
            <Badge color={GROUP_COLORS[data.segment] ?? "gray"} variant="filled" data-testid="contact-rfm-group">
              {t(`rfm.groups.${data.segment}`)}
            </Badge>
          )}
        </Group>
        {data && !data.score && (
          <Text size="sm" c="dimmed" data-testid="contact-rfm-empty">
            {data.measures ? t("rfm.not_scored_yet") : t("rfm.not_a_customer")}
          </Text>
        )}
        {data?.score && data.segment && (
          <>
            <Text size="sm" data-testid="contact-rfm-explanation">{t(`rfm.explain.${data.segment}`)}</Text>
            <Table fz="sm" data-testid="contact-rfm-scores">
              <Table.Tbody>
                {(["recency", "frequency", "monetary"] as const).map((dimension) => {
                  const score = data[dimension];
                  const range = data.run?.ranges[dimension]?.find((r) => r.score === score);
                  return (
                    <Table.Tr key={dimension}>
                      <Table.Td>
                        <Text size="sm" fw={500}>{t(`rfm.${dimension}`)}</Text>
                        <Text size="xs" c="dimmed">{rangeText(dimension, range, t)}</Text>
                      </Table.Td>
                      <Table.Td ta="right" style={{ whiteSpace: "nowrap" }}>
                        <Text fw={700} data-testid={`contact-rfm-${dimension}`}>{score} / 5</Text>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
            <Text size="xs" c="dimmed" data-testid="contact-rfm-score">
              {t("rfm.score_line", { score: data.score, customers: formatNumber(data.run?.customers ?? 0) })}
            </Text>
          </>
        )}
        {data?.measures && (
          <Text size="xs" c="dimmed" data-testid="contact-rfm-today">
            {t("rfm.today", {
              days: data.measures.days,
              count: data.measures.orders,
              revenue: formatMoney(data.measures.revenue),
              period,
            })}
          </Text>
        )}
        {data?.run && (
          <Text size="xs" c="dimmed">{t("rfm.computed_at", { when: formatDateTime(data.run.computed_at) })}</Text>
        )}
        {running && <Progress value={(job.data?.progress ?? 0) * 100} aria-label={t("rfm.recompute")} />}
        {canWrite && (
          <Button variant="light" size="xs" leftSection={<IconRefresh size={14} />} loading={running}
            onClick={() => void recompute()} data-testid="contact-rfm-recompute">
            {t("rfm.recompute")}
          </Button>
        )}
      </Stack>
    </Card>
  );
}
