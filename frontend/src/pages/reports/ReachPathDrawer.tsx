// One contact's way through a journey: each run (one per entry), the version it followed and its
// steps with their times.
import { Alert, Badge, Drawer, Group, Loader, Stack, Text, Timeline } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useContactPath } from "../../api/queries/reports_journeys";
import { formatDateTime } from "../../components/format";
import { typeKey } from "../../journey/catalog";

export function ReachPathDrawer({ journeyId, contactId, onClose }: { journeyId: number; contactId: number | null; onClose: () => void }) {
  const { t } = useTranslation();
  const path = useContactPath(journeyId, contactId);
  return (
    <Drawer opened={contactId !== null} onClose={onClose} position="right" size="md" title={path.data ? `${path.data.name || path.data.email}` : t("reports.journey_reach.path")}>
      <Stack data-testid="reach-path">
        {path.isPending ? <Loader /> : path.isError ? <Alert color="red">{path.error.message}</Alert> : (
          <>
            <Text size="sm" c="dimmed">{path.data.email}</Text>
            {path.data.runs.length === 0 && <Text c="dimmed">{t("reports.journey_reach.no_path")}</Text>}
            {path.data.runs.map((run) => (
              <Stack key={run.run_id} gap="xs" data-testid={`reach-run-${run.run_id}`}>
                <Group gap="xs">
                  <Text fw={600}>{t("reports.journey_reach.entered_on", { date: formatDateTime(run.entered_at) })}</Text>
                  <Badge variant="light">{t("reports.journey_reach.version", { version: run.version })}</Badge>
                  {run.converted_at && <Badge color="green" data-testid="reach-run-converted">{t("reports.journey_reach.converted_on", { date: formatDateTime(run.converted_at) })}</Badge>}
                </Group>
                <Timeline active={run.steps.length} bulletSize={14} lineWidth={2}>
                  {run.steps.map((step, i) => (
                    <Timeline.Item key={i} title={step.type ? t(`journeys.types.${typeKey(step.type)}`) : step.node_id} data-testid={`reach-step-${step.node_id}`}>
                      <Text size="xs" c="dimmed">
                        {formatDateTime(step.at)} · {t(`reports.journey_reach.outcomes.${step.outcome}`, { defaultValue: step.outcome })}
                        {step.label ? ` · ${step.label}` : ""}
                      </Text>
                    </Timeline.Item>
                  ))}
                </Timeline>
                <Text size="xs" c="dimmed">{t(`reports.journey_reach.run_status.${run.status}`, { defaultValue: run.status })}</Text>
              </Stack>
            ))}
          </>
        )}
      </Stack>
    </Drawer>
  );
}
