import { Anchor, Badge, Button, Card, Group, Progress, SimpleGrid, Stack, Switch, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlus } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatNumber } from "../../components/format";
import { gradeColor, sortedGrades } from "./model";
import { keys, updateModel, useModels, type ScoringModel } from "../../api/queries/scoring";

const RUNNING = new Set(["queued", "running"]);

export function isRecomputing(model: ScoringModel): boolean {
  return Boolean(model.recompute && RUNNING.has(model.recompute.status));
}

export function RecomputeProgress({ model, testId }: { model: ScoringModel; testId: string }) {
  const { t } = useTranslation();
  const job = model.recompute;
  if (!job || !RUNNING.has(job.status)) {
    if (job?.status === "failed") return <Text size="xs" c="red" data-testid={`${testId}-failed`}>{t("scoring.recompute_failed")}</Text>;
    return null;
  }
  const percent = Math.round((job.progress ?? 0) * 100);
  return (
    <Stack gap={2} data-testid={testId} data-progress={percent}>
      <Text size="xs" c="dimmed">{t("scoring.recomputing", { percent })}</Text>
      <Progress value={percent} animated size="sm" aria-label={t("common.progress")} />
    </Stack>
  );
}

function ModelCard({ model }: { model: ScoringModel }) {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const [switching, setSwitching] = useState(false);

  async function setActive(active: boolean) {
    setSwitching(true);
    try {
      await updateModel(model.id, { active });
      void queries.invalidateQueries({ queryKey: keys.models });
      notifications.show({ color: "green", message: t(active ? "scoring.activated" : "scoring.deactivated", { name: model.name }) });
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    } finally {
      setSwitching(false);
    }
  }

  return (
    <Card withBorder data-testid={`scoring-model-${model.key}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Anchor component={Link} to={`/scoring/${model.id}`} fw={600} data-testid="scoring-model-open">
            {model.name}
          </Anchor>
          <Switch
            checked={model.active}
            disabled={!canWrite || switching}
            onChange={(e) => void setActive(e.currentTarget.checked)}
            label={t("scoring.active")}
            data-testid="scoring-model-active"
          />
        </Group>
        {model.description && <Text size="sm" c="dimmed" lineClamp={2}>{model.description}</Text>}
        <Group gap="xs">
          <Badge variant="light">{t(`scoring.kinds.${model.kind}`)}</Badge>
          <Badge variant="outline" color="green" data-testid="scoring-model-threshold">
            {t("scoring.threshold_badge", { threshold: formatNumber(model.threshold) })}
          </Badge>
          <Badge variant="outline" color="gray" data-testid="scoring-model-rules">
            {t("scoring.rule_count", { count: model.rules.length })}
          </Badge>
        </Group>
        <Group gap={4}>
          {sortedGrades(model.grades).map((band) => (
            <Badge key={band.grade} size="sm" color={gradeColor(band.grade, model.grades)} variant="dot">
              {band.grade} ≥ {band.min}
            </Badge>
          ))}
        </Group>
        <RecomputeProgress model={model} testId="scoring-model-recompute" />
      </Stack>
    </Card>
  );
}

export function ScoringModelsPage() {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  // Poll faster while a recompute runs, so its bar moves.
  const models = useModels(isRecomputing);

  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Title order={2}>{t("scoring.title")}</Title>
          <Text c="dimmed" size="sm">{t("scoring.intro")}</Text>
        </div>
        {canWrite && (
          <Button leftSection={<IconPlus size={16} />} component={Link} to="/scoring/new" data-testid="scoring-new">
            {t("scoring.new")}
          </Button>
        )}
      </Group>
      <ErrorAlert error={models.error} />
      <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }} data-testid="scoring-models">
        {models.data?.map((model) => <ModelCard key={model.id} model={model} />)}
      </SimpleGrid>
      {models.data?.length === 0 && <Text c="dimmed" ta="center" data-testid="scoring-empty">{t("scoring.empty")}</Text>}
    </Stack>
  );
}
