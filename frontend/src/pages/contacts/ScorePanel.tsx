import { Accordion, Badge, Card, Group, Select, Stack, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, type Contact } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { formatNumber } from "../../components/format";
import { STAGES } from "../../components/vocabulary";
import { gradeColor } from "../scoring/model";
import { moveToStage } from "../../api/queries/pipeline";
import { useContactScores } from "../../api/queries/scoring";

/** Where the contact stands: its lifecycle stage (changed here, within the allowed moves), and its
 * score in each model with the points that make it up. */
export function ScorePanel({ contact, onChanged }: { contact: Contact; onChanged: (saved: Contact) => void }) {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const [moving, setMoving] = useState(false);
  const [stageError, setStageError] = useState<string | null>(null);
  const scores = useContactScores(contact.id, contact.updated_at);

  async function move(stage: string | null) {
    if (!stage || stage === contact.lifecycle_stage) return;
    setMoving(true);
    setStageError(null);
    try {
      const saved = await moveToStage(contact.id, stage);
      onChanged(saved);
      notifications.show({ color: "green", message: t("scoring.stage_changed", { stage: t(`stages.${stage}`) }) });
    } catch (error) {
      setStageError(error instanceof ApiError ? error.message : t("common.unexpected"));
    } finally {
      setMoving(false);
    }
  }

  return (
    <Card withBorder data-testid="contact-scores">
      <Stack gap="sm">
        <Title order={4}>{t("scoring.lead_status")}</Title>
        <Select
          label={t("fields.lifecycle_stage")}
          allowDeselect={false}
          disabled={!canWrite || moving}
          value={contact.lifecycle_stage}
          data={STAGES.map((s) => ({ value: s, label: t(`stages.${s}`) }))}
          error={stageError}
          onChange={(v) => void move(v)}
          errorProps={{ "data-testid": "contact-lifecycle-error" }}
          data-testid="contact-lifecycle"
        />
        {contact.lead_origin && (
          <Text size="sm" data-testid="contact-lead-origin">
            {t(`pipeline.origins.${contact.lead_origin}`)}
            {contact.lead_origin_detail ? ` · ${contact.lead_origin_detail}` : ""}
          </Text>
        )}
        {scores.data?.length === 0 && <Text size="sm" c="dimmed">{t("scoring.no_scores")}</Text>}
        <Accordion variant="separated" multiple chevronPosition="left">
          {scores.data?.map((score) => (
            <Accordion.Item key={score.model_id} value={String(score.model_id)} data-testid={`contact-score-${score.key}`}>
              <Accordion.Control data-testid={`contact-score-${score.key}-toggle`}>
                <Group justify="space-between" wrap="nowrap">
                  <Text size="sm" fw={500}>{score.model}</Text>
                  <Group gap={6} wrap="nowrap">
                    <Text fw={700} data-testid={`contact-score-${score.key}-value`}>{formatNumber(score.score)}</Text>
                    {score.grade && (
                      <Badge color={gradeColor(score.grade)} variant="filled" data-testid={`contact-score-${score.key}-grade`}>{score.grade}</Badge>
                    )}
                    {score.sales_ready && (
                      <Badge color="green" variant="light" data-testid={`contact-score-${score.key}-ready`}>{t("scoring.sales_ready")}</Badge>
                    )}
                  </Group>
                </Group>
              </Accordion.Control>
              <Accordion.Panel>
                {score.breakdown.length === 0 ? (
                  <Text size="sm" c="dimmed">{t("scoring.no_points")}</Text>
                ) : (
                  <Table fz="xs" data-testid={`contact-score-${score.key}-breakdown`}>
                    <Table.Tbody>
                      {score.breakdown.map((line) => (
                        <Table.Tr key={line.rule_id}>
                          <Table.Td>
                            <Text size="xs" fw={500}>{line.label}</Text>
                            {line.reason && <Text size="xs" c="dimmed">{line.reason}</Text>}
                          </Table.Td>
                          <Table.Td ta="right" c={line.points < 0 ? "red" : undefined} style={{ whiteSpace: "nowrap" }}>
                            {line.points > 0 ? "+" : ""}{formatNumber(line.points)}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                )}
              </Accordion.Panel>
            </Accordion.Item>
          ))}
        </Accordion>
      </Stack>
    </Card>
  );
}
