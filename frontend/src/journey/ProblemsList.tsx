import { Alert, CloseButton, Group, Stack, Text, UnstyledButton } from "@mantine/core";
import { IconAlertTriangle, IconCircleCheck } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../api/client";

type Props = { problems: Schemas["Problem"][]; onPick: (nodeId: string) => void; onClose: () => void };

/** What stops the journey from being published; clicking a problem shows its step. */
export function ProblemsList({ problems, onPick, onClose }: Props) {
  const { t } = useTranslation();
  if (!problems.length)
    return (
      <Alert color="green" icon={<IconCircleCheck size={18} />} withCloseButton onClose={onClose} data-testid="journey-problems" data-count={0}>
        {t("journeys.problems.none")}
      </Alert>
    );
  return (
    <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="journey-problems" data-count={problems.length}
      title={<Group justify="space-between" w="100%">{t("journeys.problems.title", { count: problems.length })}<CloseButton size="sm" onClick={onClose} aria-label={t("common.cancel")} /></Group>}
      styles={{ label: { width: "100%" } }}>
      <Stack gap={2} mah={140} style={{ overflowY: "auto" }}>
        {problems.map((problem, i) => (
          <UnstyledButton key={i} disabled={!problem.node_id} onClick={() => problem.node_id && onPick(problem.node_id)} data-testid={`journey-problem-${i}`}>
            <Text size="sm" td={problem.node_id ? "underline" : undefined}>{problem.message}</Text>
          </UnstyledButton>
        ))}
      </Stack>
    </Alert>
  );
}
