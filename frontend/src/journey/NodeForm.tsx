import { Anchor, Group, NumberInput, RangeSlider, SegmentedControl, Select, Stack, Switch, Text, Textarea, TextInput } from "@mantine/core";
import { TimeInput } from "@mantine/dates";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useEmails } from "../api/queries/emails";
import { useFormChoices } from "../api/queries/forms";
import { useJourneyEvents } from "../api/queries/journeys";
import { useRuleFields } from "../api/queries/rules";
import { useSegments } from "../api/queries/segments";
import { STAGES } from "../components/vocabulary";
import { INTERACTION_TYPES } from "./catalog";
import { stepOf, type Config, type ConfigField, type ConfigValue, type StepType } from "./definition";
import { formatDuration, parseDuration } from "./duration";
import { addressFilter, addressOf } from "./pageAddress";
import { BranchesInput } from "./fields/BranchesInput";
import { DurationInput } from "./fields/DurationInput";
import { RuleInput } from "./fields/RuleInput";

type Props = {
  type: StepType;
  config: Config;
  errors: Record<string, string>;
  onChange: (config: Config, field: string) => void;
  disabled: boolean;
};

const ZONES = Intl.supportedValuesOf("timeZone");
// Fields the product computes or that identify a contact: a journey cannot set them.
const NOT_SETTABLE = new Set(["email", "id", "created_at", "updated_at"]);

/** The settings of one step, in the words of a marketer. Test ids: `node-config-<field>`. */
export function NodeForm({ type, config, errors, onChange, disabled }: Props) {
  const { t, i18n } = useTranslation();
  const emails = useEmails();
  const segments = useSegments();
  const fields = useRuleFields();
  const step = stepOf(type, config);
  // Any step's field, read and written by name: the names are those of the generated types.
  const value = <K extends ConfigField>(field: K) => (config as Partial<Record<K, ConfigValue<K>>>)[field];
  const text = (field: ConfigField) => String(value(field) ?? "");
  const set = <K extends ConfigField>(field: K, v: ConfigValue<K>) => onChange({ ...config, [field]: v } as Config, field);
  const props = (field: ConfigField) => ({ error: errors[field], disabled, "data-testid": `node-config-${field}` });
  const aboutEvents = type === "action.event_register" || text("type").startsWith("event_");
  const events = useJourneyEvents(aboutEvents);
  const aboutForms = text("type").startsWith("form_");
  const forms = useFormChoices(aboutForms);
  const fieldLabel = (f: { label_en: string; label_fr: string }) => (i18n.language === "fr" ? f.label_fr : f.label_en);
  // A template or an integrator may use its own interaction type: keep it in the list.
  const interactions = [...new Set([...INTERACTION_TYPES, text("type")])].filter(Boolean)
    .map((v) => ({ value: v, label: t(`interactions.${v}`, { defaultValue: v }) }));

  // A text message or a webhook that still fails after its tries: the journey goes on, or stops there.
  const onFailure = (
    <Select label={t("journeys.fields.on_failure")} {...props("on_failure")} allowDeselect={false}
      value={text("on_failure") || "continue"} onChange={(v) => set("on_failure", v === "stop" ? "stop" : "continue")}
      data={(["continue", "stop"] as const).map((v) => ({ value: v, label: t(`journeys.fields.on_failure_${v}`) }))} />
  );
  const segmentPicker = (staticOnly: boolean) => (
    <Select label={t("journeys.fields.segment")} searchable placeholder={t("journeys.summary.pick_segment")} {...props("segment_id")}
      description={staticOnly ? t("journeys.fields.static_only") : undefined}
      data={(segments.data ?? []).filter((s) => !staticOnly || s.kind === "static").map((s) => ({ value: String(s.id), label: s.name }))}
      value={value("segment_id") != null ? String(value("segment_id")) : null} onChange={(v) => set("segment_id", v ? Number(v) : null)} />
  );
  // Event interactions (registered, attended...): any event, or only one.
  const whichEvent = text("type").startsWith("event_") && (
    <Select label={t("journeys.fields.which_event")} clearable placeholder={t("journeys.fields.any_event")} searchable {...props("event_id")}
      data={(events.data ?? []).map((e) => ({ value: String(e.id), label: e.name }))}
      value={value("event_id") != null ? String(value("event_id")) : null} onChange={(v) => set("event_id", v ? Number(v) : null)} />
  );
  // Form interactions (submitted, confirmed): any form, or only one.
  const whichForm = aboutForms && (
    <Select label={t("journeys.fields.which_form")} clearable placeholder={t("journeys.fields.any_form")} searchable {...props("form_id")}
      data={(forms.data ?? []).map((f) => ({ value: String(f.id), label: f.name }))}
      value={value("form_id") != null ? String(value("form_id")) : null} onChange={(v) => set("form_id", v ? Number(v) : null)} />
  );
  // A page visit: any page, or only those whose address contains some words (kept as the filter rule).
  const pageAddress = text("type") === "page_visited" && (
    <TextInput label={t("journeys.fields.page_address")} description={t("journeys.fields.page_address_hint")} {...props("filter")}
      placeholder={t("journeys.fields.page_address_placeholder")} defaultValue={addressOf(text("filter"))}
      onChange={(e) => set("filter", addressFilter(e.currentTarget.value))} />
  );
  const setType = (v: string | null) => onChange({
    ...config, type: v ?? "",
    ...(v?.startsWith("event_") ? {} : { event_id: null }),
    ...(v?.startsWith("form_") ? {} : { form_id: null }),
    ...(type === "entry.interaction" && v !== "page_visited" ? { filter: null } : {}),
  } as Config, "type");
  // An entry's filter comes before any run; a wait's may ask what the contact did in its run.
  const optionalRule = (
    <RuleInput label={t("journeys.fields.only_if")} value={text("rule")} error={errors.rule} disabled={disabled} testId="node-config-rule"
      scope={type === "flow.wait_for" ? "journey" : "contact"} onChange={(rule) => set("rule", rule || null)} />
  );

  switch (step.type) {
    case "entry.segment":
      return (
        <Stack>
          {segmentPicker(false)}
          <Switch label={t("journeys.fields.include_later")} checked={Boolean(step.config.include_later)} {...props("include_later")}
            onChange={(e) => set("include_later", e.currentTarget.checked)} />
        </Stack>
      );
    case "entry.interaction":
      return (
        <Stack>
          <Select label={t("journeys.fields.interaction")} data={interactions} value={text("type") || null} {...props("type")}
            onChange={setType} />
          {whichEvent}
          {whichForm}
          {pageAddress}
          {optionalRule}
        </Stack>
      );
    case "entry.date": {
      const offset = parseDuration(step.config.offset) ?? { amount: 0, unit: "days" as const };
      const days = Math.abs(offset.unit === "weeks" ? offset.amount * 7 : offset.amount);
      const when = offset.amount < 0 ? "before" : offset.amount > 0 ? "after" : "on";
      const setOffset = (n: number, w: string) => set("offset", formatDuration({ amount: w === "on" ? 0 : (w === "before" ? -n : n), unit: "days" }));
      return (
        <Stack>
          <Select label={t("journeys.fields.date_field")} {...props("field")} value={text("field") || null} onChange={(v) => set("field", v ?? "")}
            data={(fields.data ?? []).filter((f) => f.type === "date" || f.type === "datetime").map((f) => ({ value: f.name, label: fieldLabel(f) }))} />
          <SegmentedControl value={when} disabled={disabled} data-testid="node-config-offset-when" onChange={(w) => setOffset(days || 1, w)}
            data={["before", "on", "after"].map((w) => ({ value: w, label: t(`journeys.fields.${w}`) }))} />
          {when !== "on" && (
            <NumberInput label={t("journeys.fields.days")} min={1} allowDecimal={false} value={days} {...props("offset")}
              onChange={(v) => setOffset(Number(v) || 1, when)} />
          )}
          <Switch label={t("journeys.fields.yearly")} checked={Boolean(step.config.yearly)} {...props("yearly")} onChange={(e) => set("yearly", e.currentTarget.checked)} />
        </Stack>
      );
    }
    case "action.email": {
      const emailId = step.config.email_id;
      return (
        <Stack>
          <Select label={t("journeys.fields.email")} searchable placeholder={t("journeys.summary.pick_email")} {...props("email_id")}
            data={(emails.data ?? []).map((e) => ({ value: String(e.id), label: e.name }))}
            value={emailId != null ? String(emailId) : null} onChange={(v) => set("email_id", v ? Number(v) : null)} />
          {emailId != null && <Anchor component={Link} to={`/emails/${emailId}`} size="sm">{t("journeys.fields.open_email")}</Anchor>}
        </Stack>
      );
    }
    case "action.sms":
      return (
        <Stack>
          <Textarea label={t("journeys.fields.sms")} autosize minRows={3} value={text("text")} {...props("text")} onChange={(e) => set("text", e.currentTarget.value)} />
          {onFailure}
        </Stack>
      );
    case "action.webhook":
      return (
        <Stack>
          <TextInput label={t("journeys.fields.url")} placeholder="https://" value={text("url")} {...props("url")} onChange={(e) => set("url", e.currentTarget.value)} />
          {onFailure}
        </Stack>
      );
    case "action.update_field":
      return (
        <Stack>
          <Select label={t("journeys.fields.field")} searchable {...props("field")} value={text("field") || null} onChange={(v) => set("field", v ?? "")}
            data={(fields.data ?? []).filter((f) => (f.group === "contact" || f.group === "custom") && !NOT_SETTABLE.has(f.name)).map((f) => ({ value: f.name, label: fieldLabel(f) }))} />
          <TextInput label={t("journeys.fields.value")} value={text("value")} {...props("value")} onChange={(e) => set("value", e.currentTarget.value)} />
        </Stack>
      );
    case "action.segment_add":
    case "action.segment_remove":
      return segmentPicker(true);
    case "action.event_register": {
      const eventId = step.config.event_id;
      return (
        <Stack gap="xs">
          <Select label={t("journeys.fields.event")} searchable placeholder={t("journeys.summary.pick_event")} {...props("event_id")}
            description={t("journeys.fields.event_hint")}
            data={(events.data ?? []).map((e) => ({ value: String(e.id), label: e.name }))}
            value={eventId != null ? String(eventId) : null} onChange={(v) => set("event_id", v ? Number(v) : null)} />
          {eventId != null && (
            <Anchor component={Link} to={`/events/${eventId}`} size="sm" data-testid="node-config-event-link">
              {t("journeys.fields.open_event")}
            </Anchor>
          )}
        </Stack>
      );
    }
    case "action.stage":
      return (
        <Select label={t("journeys.fields.stage")} {...props("stage")} value={text("stage") || null} onChange={(v) => set("stage", v ?? "")}
          data={STAGES.map((s) => ({ value: s, label: t(`stages.${s}`) }))} />
      );
    case "flow.wait":
      return <DurationInput label={t("journeys.fields.how_long")} value={step.config.duration} error={errors.duration} disabled={disabled}
        testId="node-config-duration" onChange={(v) => set("duration", v)} />;
    case "flow.wait_until": {
      const atTime = text("at").length <= 8;
      const hours = (step.config.send_hours ?? null) as [number, number] | null;
      return (
        <Stack>
          <SegmentedControl value={atTime ? "time" : "date"} disabled={disabled} data-testid="node-config-at-kind"
            onChange={(k) => set("at", k === "time" ? "09:00" : `${new Date().getFullYear()}-12-24T09:00`)}
            data={[{ value: "time", label: t("journeys.fields.time_of_day") }, { value: "date", label: t("journeys.fields.date_time") }]} />
          {atTime ? (
            <TimeInput label={t("journeys.fields.at")} value={text("at")} {...props("at")} onChange={(e) => set("at", e.currentTarget.value)} />
          ) : (
            <TextInput type="datetime-local" label={t("journeys.fields.at")} value={text("at")} {...props("at")} onChange={(e) => set("at", e.currentTarget.value)} />
          )}
          <Select label={t("journeys.fields.timezone")} searchable {...props("timezone")} value={text("timezone") || ""}
            onChange={(v) => set("timezone", v || null)}
            data={[{ value: "", label: t("journeys.fields.journey_zone") }, { value: "contact", label: t("journeys.fields.contact_zone") }, ...ZONES]} />
          <Switch label={t("journeys.fields.send_hours")} checked={hours !== null} disabled={disabled} data-testid="node-config-send_hours"
            onChange={(e) => set("send_hours", e.currentTarget.checked ? [9, 18] : null)} />
          {hours && (
            <RangeSlider min={0} max={24} minRange={1} value={hours} disabled={disabled} label={(v) => `${v}:00`}
              onChange={(v) => set("send_hours", v)} data-testid="node-config-send_hours-range" />
          )}
        </Stack>
      );
    }
    case "flow.wait_for":
      return (
        <Stack>
          <Select label={t("journeys.fields.interaction")} data={interactions} value={text("type") || null} {...props("type")}
            onChange={setType} />
          {whichEvent}
          {whichForm}
          <DurationInput label={t("journeys.fields.timeout")} value={step.config.timeout} error={errors.timeout} disabled={disabled}
            testId="node-config-timeout" onChange={(v) => set("timeout", v)} />
          {optionalRule}
          <Text size="xs" c="dimmed">{t("journeys.fields.wait_for_hint")}</Text>
        </Stack>
      );
    case "flow.condition":
    case "flow.goal":
      return (
        <Stack>
          <RuleInput label={t(step.type === "flow.goal" ? "journeys.fields.goal_rule" : "journeys.fields.condition")} value={text("rule")}
            error={errors.rule} disabled={disabled} testId="node-config-rule" scope="journey" onChange={(rule) => set("rule", rule)} />
          {step.type === "flow.condition" && <Text size="xs" c="dimmed">{t("journeys.fields.condition_hint")}</Text>}
        </Stack>
      );
    case "flow.split":
      return <BranchesInput value={step.config.branches ?? []} error={errors.branches} disabled={disabled} onChange={(b) => set("branches", b)} />;
    default:
      return <Group><Text size="sm" c="dimmed">{t("journeys.fields.exit_hint")}</Text></Group>;
  }
}
