import { useDroppable } from "@dnd-kit/core";
import { Badge, Group, Loader, Paper, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatNumber } from "../../components/format";
import { STAGE_COLORS } from "../../components/vocabulary";
import { PIPELINE_PAGE, useStageContacts, type LeadOrigin } from "../../api/queries/pipeline";
import { LeadCard, type Lead } from "./LeadCard";

export function PipelineColumn({ stage, origin, count }: { stage: string; origin: LeadOrigin | null; count: number | undefined }) {
  const { t } = useTranslation();
  const { setNodeRef, isOver } = useDroppable({ id: stage });
  const leads = useStageContacts(stage, origin);
  const items: Lead[] = leads.data?.items ?? [];
  const shown = items.length;
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      p="xs"
      w={220}
      miw={220}
      bg={isOver ? "var(--mantine-color-indigo-light)" : "var(--mantine-color-gray-0)"}
      data-testid={`pipeline-column-${stage}`}
      data-over={isOver ? "yes" : "no"}
    >
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm" fw={600} truncate="end" title={t(`stages.${stage}`)}>{t(`stages.${stage}`)}</Text>
          <Badge color={STAGE_COLORS[stage]} variant="light" style={{ flexShrink: 0 }} data-testid={`pipeline-count-${stage}`}>
            {count === undefined ? "…" : formatNumber(count)}
          </Badge>
        </Group>
        <ErrorAlert error={leads.error} testId={`pipeline-column-${stage}-error`} />
        <div style={{ maxHeight: "calc(100vh - 260px)", overflowY: "auto", overflowX: "hidden" }}>
          <Stack gap={6} mih={80}>
            {leads.isLoading && <Loader size="sm" />}
            {items.map((lead) => <LeadCard key={lead.id} lead={lead} stage={stage} />)}
            {!leads.isLoading && shown === 0 && (
              <Text size="xs" c="dimmed" ta="center" py="md">{t("pipeline.empty_column")}</Text>
            )}
          </Stack>
        </div>
        {count !== undefined && count > shown && shown >= PIPELINE_PAGE && (
          <Text size="xs" c="dimmed" ta="center" data-testid={`pipeline-more-${stage}`}>
            {t("pipeline.showing", { shown: formatNumber(shown), total: formatNumber(count) })}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
