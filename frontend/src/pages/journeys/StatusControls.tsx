import { Button, Group } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlayerPause, IconPlayerPlay, IconPlayerStop } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { type Schemas } from "../../api/client";
import { moveJourney } from "../../api/queries/journeys";
import { confirmDanger } from "../../components/confirm";

type Props = { journey: Schemas["JourneyOut"]; onChanged: (journey: Schemas["JourneyOut"]) => void };

/** Pause, resume or stop a running journey (stopping asks first: contacts inside leave it). */
export function StatusControls({ journey, onChanged }: Props) {
  const { t } = useTranslation();
  async function move(action: "pause" | "resume" | "stop") {
    try {
      const moved = await moveJourney(journey.id, action);
      onChanged(moved);
      notifications.show({ color: "green", message: t(`journeys.moved.${action}`) });
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    }
  }
  return (
    <Group gap="xs">
      {journey.status === "published" && (
        <Button variant="default" leftSection={<IconPlayerPause size={16} />} onClick={() => void move("pause")} data-testid="journey-pause">
          {t("journeys.pause")}
        </Button>
      )}
      {journey.status === "paused" && (
        <Button variant="default" leftSection={<IconPlayerPlay size={16} />} onClick={() => void move("resume")} data-testid="journey-resume">
          {t("journeys.resume")}
        </Button>
      )}
      {["published", "paused"].includes(journey.status) && (
        <Button variant="light" color="red" leftSection={<IconPlayerStop size={16} />} data-testid="journey-stop"
          onClick={() => confirmDanger({
            title: t("journeys.stop_title"),
            message: t("journeys.stop_warning"),
            confirm: t("journeys.stop"),
            testId: "journey-stop-confirm",
            onConfirm: () => move("stop"),
          })}>
          {t("journeys.stop")}
        </Button>
      )}
    </Group>
  );
}
