import { ActionIcon, Badge, Button, Group, Tooltip } from "@mantine/core";
import {
  IconArrowBackUp,
  IconArrowForwardUp,
  IconChecklist,
  IconFlask,
  IconLayoutDistributeHorizontal,
  IconRocket,
  IconSettings,
} from "@tabler/icons-react";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, type Schemas } from "../../api/client";
import { journeyAudience } from "../../api/queries/journeys";
import { AudienceConfirm } from "../../components/AudienceConfirm";
import { formatNumber } from "../../components/format";
import { StatusControls } from "./StatusControls";
import type { SaveState } from "../../components/useAutosave";

type ToolsProps = {
  readOnly: boolean;
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onLayout: () => void;
  onSettings: () => void;
  onTest: () => void;
  onValidate: () => void;
};

type LifecycleProps = {
  journey: Schemas["JourneyOut"];
  saveState: SaveState;
  readOnly: boolean;
  publishing: boolean;
  /** Save what is pending, before the audience is previewed. */
  onPrepare: () => Promise<void>;
  onPublish: () => void;
  onChanged: (journey: Schemas["JourneyOut"]) => void;
};

const SAVE_COLORS: Record<SaveState, string> = { saved: "green", saving: "blue", pending: "yellow", error: "red" };

/** What edits the canvas: undo, redo, tidy-up, settings, a test run, the check. */
export function JourneyTools(props: ToolsProps) {
  const { t } = useTranslation();
  const { readOnly } = props;
  const icon = (label: string, testId: string, onClick: () => void, Icon: typeof IconSettings, disabled = false) => (
    <Tooltip label={label}>
      <ActionIcon variant="default" size="lg" onClick={onClick} disabled={disabled} aria-label={label} data-testid={testId}>
        <Icon size={18} />
      </ActionIcon>
    </Tooltip>
  );
  return (
    <Group gap="xs" wrap="nowrap" data-testid="journey-tools">
      {icon(t("common.undo"), "journey-undo", props.onUndo, IconArrowBackUp, readOnly || !props.canUndo)}
      {icon(t("common.redo"), "journey-redo", props.onRedo, IconArrowForwardUp, readOnly || !props.canRedo)}
      {icon(t("journeys.autolayout"), "journey-autolayout", props.onLayout, IconLayoutDistributeHorizontal, readOnly)}
      {icon(t("journeys.settings.title"), "journey-settings-open", props.onSettings, IconSettings)}
      <Button variant="default" leftSection={<IconFlask size={16} />} onClick={props.onTest} data-testid="journey-test-open">{t("journeys.test.open")}</Button>
      <Button variant="default" leftSection={<IconChecklist size={16} />} onClick={props.onValidate} data-testid="journey-validate">{t("journeys.validate")}</Button>
    </Group>
  );
}

/** Where the journey stands: saved or not, pause, resume, stop, publish. */
export function JourneyLifecycle(props: LifecycleProps) {
  const { t } = useTranslation();
  const { journey, readOnly } = props;
  const canPublish = !readOnly && (journey.status === "draft" || journey.has_changes);
  const [audience, setAudience] = useState<Schemas["JourneyAudience"] | null>(null);
  const [reviewing, setReviewing] = useState(false);

  // Publishing enrols contacts at once: the marketer sees who first, and confirms.
  async function review() {
    setReviewing(true);
    try {
      await props.onPrepare();
      setAudience(await journeyAudience(journey.id));
    } catch (error) {
      // Not publishable yet: publishing lists the problems on the canvas.
      if (error instanceof ApiError && error.status === 422) props.onPublish();
      else notifications.show({ color: "red", message: (error as Error).message });
    } finally {
      setReviewing(false);
    }
  }
  return (
    <Group gap="xs" wrap="nowrap" justify="flex-end" style={{ flexShrink: 0 }} data-testid="journey-lifecycle">
      <Badge variant="light" color={SAVE_COLORS[props.saveState]} style={{ flexShrink: 0 }} data-testid="journey-save-state" data-state={props.saveState}>
        {t(`journeys.save_state.${props.saveState}`)}
      </Badge>
      <StatusControls journey={journey} onChanged={props.onChanged} />
      {canPublish && (
        <Button leftSection={<IconRocket size={16} />} onClick={() => void review()} loading={props.publishing || reviewing} data-testid="journey-publish">
          {journey.version ? t("journeys.publish_changes") : t("journeys.publish")}
        </Button>
      )}
      <AudienceConfirm
        kind="journey"
        audience={audience && { ...audience, reached: audience.entering }}
        confirmLabel={audience && !audience.entries_over_time
          ? t("audience.journey.confirm", { count: audience.entering, formatted: formatNumber(audience.entering) })
          : t("journeys.publish")}
        busy={props.publishing}
        onCancel={() => setAudience(null)}
        onConfirm={() => {
          setAudience(null);
          props.onPublish();
        }}
      />
    </Group>
  );
}
