import { Divider, Drawer, NumberInput, SegmentedControl, Select, Stack, Switch, Text, TextInput } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { type Schemas } from "../api/client";
import { useSegments } from "../api/queries/segments";
import { CONSENT_LEVELS } from "../components/vocabulary";
import { INTERACTION_TYPES } from "./catalog";
import { DurationInput } from "./fields/DurationInput";
import { RuleInput } from "./fields/RuleInput";

export type JourneySettings = Schemas["JourneySettings"];
type Props = {
  opened: boolean;
  onClose: () => void;
  value: JourneySettings;
  onChange: (settings: JourneySettings) => void;
  problems: Schemas["Problem"][];
  disabled: boolean;
};

const ZONES = Intl.supportedValuesOf("timeZone");
// datetime-local shows local time without a zone; the API keeps UTC instants.
const toLocal = (iso?: string | null) => (iso ? new Date(new Date(iso).getTime() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16) : "");
const fromLocal = (local: string) => (local ? new Date(local).toISOString() : null);

/** Who may enter, when, how often, and what counts as a conversion. */
export function SettingsDrawer({ opened, onClose, value, onChange, problems, disabled }: Props) {
  const { t } = useTranslation();
  const segments = useSegments();
  const set = <K extends keyof JourneySettings>(key: K, v: JourneySettings[K]) => onChange({ ...value, [key]: v });
  const error = (field: string) => problems.find((p) => p.field === `settings.${field}`)?.message;
  const goal = value.goal ?? null;
  const setGoal = (patch: Partial<NonNullable<JourneySettings["goal"]>>) => set("goal", { window: "P30D", exit: false, ...goal, ...patch });
  return (
    <Drawer opened={opened} onClose={onClose} position="right" title={t("journeys.settings.title")} size="md">
      <Stack data-testid="journey-settings">
        <Select label={t("journeys.settings.min_consent")} description={t("journeys.settings.min_consent_hint")} disabled={disabled}
          allowDeselect={false} value={value.min_consent} data-testid="settings-min_consent"
          data={CONSENT_LEVELS.map((c) => ({ value: c, label: t(`consent.${c}`) }))} onChange={(v) => v && set("min_consent", v as JourneySettings["min_consent"])} />
        <TextInput type="datetime-local" label={t("journeys.settings.starts_at")} value={toLocal(value.starts_at)} disabled={disabled}
          data-testid="settings-starts_at" onChange={(e) => set("starts_at", fromLocal(e.currentTarget.value))} />
        <TextInput type="datetime-local" label={t("journeys.settings.ends_at")} value={toLocal(value.ends_at)} error={error("ends_at")} disabled={disabled}
          data-testid="settings-ends_at" onChange={(e) => set("ends_at", fromLocal(e.currentTarget.value))} />
        <Select label={t("journeys.settings.timezone")} searchable data={ZONES} value={value.timezone} error={error("timezone")} disabled={disabled}
          allowDeselect={false} data-testid="settings-timezone" onChange={(v) => v && set("timezone", v)} />
        <Divider />
        <div>
          <Text size="sm" fw={500} mb={4}>{t("journeys.settings.reentry")}</Text>
          <SegmentedControl fullWidth value={value.reentry} disabled={disabled} data-testid="settings-reentry"
            data={(["once", "every_time", "after_days"] as const).map((r) => ({ value: r, label: t(`journeys.settings.reentries.${r}`) }))}
            onChange={(v) => set("reentry", v as JourneySettings["reentry"])} />
        </div>
        {value.reentry === "after_days" && (
          <NumberInput label={t("journeys.settings.reentry_days")} min={1} max={3650} value={value.reentry_days ?? ""} error={error("reentry_days")}
            disabled={disabled} data-testid="settings-reentry_days" onChange={(v) => set("reentry_days", v === "" ? null : Number(v))} />
        )}
        <Select label={t("journeys.settings.suppression")} description={t("journeys.settings.suppression_hint")} clearable searchable disabled={disabled}
          data={(segments.data ?? []).map((s) => ({ value: String(s.id), label: s.name }))} error={error("suppression_segment_id")}
          value={value.suppression_segment_id != null ? String(value.suppression_segment_id) : null} data-testid="settings-suppression"
          onChange={(v) => set("suppression_segment_id", v ? Number(v) : null)} />
        <NumberInput label={t("journeys.settings.frequency_cap")} description={t("journeys.settings.frequency_cap_hint")} min={0} max={100}
          value={value.frequency_cap ?? ""} disabled={disabled} data-testid="settings-frequency_cap"
          onChange={(v) => set("frequency_cap", v === "" ? null : Number(v))} />
        <Divider />
        <Switch label={t("journeys.settings.goal")} description={t("journeys.settings.goal_hint")} checked={goal !== null} disabled={disabled}
          data-testid="settings-goal" onChange={(e) => set("goal", e.currentTarget.checked ? { type: "purchase", window: "P30D", exit: false } : null)} />
        {goal && (
          <Stack gap="sm">
            <Select label={t("journeys.settings.goal_type")} clearable disabled={disabled} value={goal.type ?? null} data-testid="settings-goal-type"
              data={INTERACTION_TYPES.map((v) => ({ value: v, label: t(`interactions.${v}`) }))} onChange={(v) => setGoal({ type: v })} />
            <RuleInput label={t("journeys.settings.goal_rule")} value={goal.rule ?? ""} error={error("goal.rule") ?? error("goal")} disabled={disabled}
              testId="settings-goal-rule" onChange={(rule) => setGoal({ rule: rule || null })} />
            <DurationInput label={t("journeys.settings.goal_window")} value={goal.window} error={error("goal.window")} disabled={disabled}
              testId="settings-goal-window" onChange={(window) => setGoal({ window })} />
            <Switch label={t("journeys.settings.goal_exit")} checked={goal.exit ?? false} disabled={disabled} data-testid="settings-goal-exit"
              onChange={(e) => setGoal({ exit: e.currentTarget.checked })} />
          </Stack>
        )}
      </Stack>
    </Drawer>
  );
}
