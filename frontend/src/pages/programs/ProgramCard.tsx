import { ActionIcon, Anchor, Badge, Card, Group, Progress, Stack, Text, Title, Tooltip } from "@mantine/core";
import { IconPencil, IconTrash } from "@tabler/icons-react";
import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { type Program, useProgress } from "../../api/queries/programs";
import { formatDate, formatTime } from "../../components/format";
import { ProgressChart } from "./ProgressChart";
import { formatKpi, kpiDefinition, kpiName } from "./kpi";

type Names = Record<"journeys" | "campaigns" | "events", Map<number, string>>;

const LINKS = {
  journeys: (id: number) => `/journeys/${id}`,
  campaigns: (id: number) => `/emails/campaigns/${id}`,
  events: (id: number) => `/events/${id}`,
} as const;

/** One program: its KPI against its target (a bar and the months' curve), owner, period, actions. */
export function ProgramCard({ program, names, canEdit, onEdit, onDelete }: {
  program: Program;
  names: Names;
  canEdit: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  const progress = useProgress(program.id);
  const metric = program.kpi.metric;
  const reached = progress.data?.reached ?? null;
  const ids = { journeys: program.journey_ids, campaigns: program.campaign_ids, events: program.event_ids };
  const testId = `program-${program.id}`;
  return (
    <Card withBorder data-testid={testId} component="article" aria-labelledby={`${testId}-name`}>
      <Group justify="space-between" wrap="nowrap" align="start">
        <Stack gap={2}>
          <Title order={3} size="h4" id={`${testId}-name`}>{program.name}</Title>
          <Text size="sm" c="dimmed">
            {t("plan.period", { from: formatDate(program.starts_on), to: formatDate(program.ends_on) })}
            {" · "}
            {program.owner_name ? t("plan.owned_by", { name: program.owner_name }) : t("plan.no_owner")}
          </Text>
        </Stack>
        {canEdit && (
          <Group gap={4} wrap="nowrap">
            <Tooltip label={t("plan.edit")}>
              <ActionIcon variant="subtle" aria-label={t("plan.edit_named", { name: program.name })} onClick={onEdit} data-testid={`${testId}-edit`}>
                <IconPencil size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label={t("plan.delete")}>
              <ActionIcon variant="subtle" color="red" aria-label={t("plan.delete_named", { name: program.name })} onClick={onDelete} data-testid={`${testId}-delete`}>
                <IconTrash size={16} />
              </ActionIcon>
            </Tooltip>
          </Group>
        )}
      </Group>
      {program.objective && <Text size="sm" mt="xs">{program.objective}</Text>}
      <Group justify="space-between" mt="sm" wrap="nowrap" align="end">
        <Stack gap={0}>
          <Text size="sm" fw={600}>{kpiName(t, metric)}</Text>
          <Text size="xs" c="dimmed">{kpiDefinition(t, metric)}</Text>
        </Stack>
        <Text fw={700} size="lg" data-testid={`${testId}-value`}>
          {formatKpi(metric, progress.data?.value)}
          {program.target !== null && (
            <Text span size="sm" c="dimmed" fw={400}> {t("plan.of_target", { target: formatKpi(metric, program.target) })}</Text>
          )}
        </Text>
      </Group>
      {program.target !== null && (
        <Progress
          mt={6}
          value={Math.min(100, (reached ?? 0) * 100)}
          color={(reached ?? 0) >= 1 ? "teal" : "indigo"}
          aria-label={t("plan.reached_label", { share: reached === null ? "—" : `${Math.round(reached * 100)} %` })}
          data-testid={`${testId}-bar`}
        />
      )}
      {progress.data && !progress.data.available && (
        <Text size="xs" c="red" mt={4} data-testid={`${testId}-unavailable`}>{t("plan.unavailable")}</Text>
      )}
      {progress.data && (progress.data.value === null && progress.data.series.length > 0) && (
        <Text size="xs" c="dimmed" mt={4}>{t("plan.nothing_to_divide")}</Text>
      )}
      <div style={{ marginTop: 12 }}>
        {progress.data && <ProgressChart progress={progress.data} testId={`${testId}-chart`} />}
      </div>
      <Stack gap={4} mt="sm">
        {(["journeys", "campaigns", "events"] as const).map((kind) =>
          ids[kind].length ? (
            <Group gap={6} key={kind} wrap="wrap">
              <Text size="xs" c="dimmed" w={80}>{t(`plan.kinds.${kind}`)}</Text>
              {ids[kind].map((id) => (
                <Badge key={id} variant="light" tt="none">
                  <Anchor component={Link} to={LINKS[kind](id)} size="xs" data-testid={`${testId}-${kind}-${id}`}>
                    {names[kind].get(id) ?? `#${id}`}
                  </Anchor>
                </Badge>
              ))}
            </Group>
          ) : null,
        )}
      </Stack>
      {progress.data && (
        <Text size="xs" c="dimmed" mt="xs">{t("plan.as_of", { time: formatTime(progress.data.as_of) })}</Text>
      )}
    </Card>
  );
}
