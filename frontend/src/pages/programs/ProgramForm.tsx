import { Button, Drawer, Group, MultiSelect, NumberInput, Select, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import dayjs from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import {
  createProgram,
  type Program,
  type ProgramIn,
  updateProgram,
  useKpiCatalogue,
  useOwners,
  useProgramChoices,
  useProgramTemplates,
} from "../../api/queries/programs";
import { ExplorationPicker } from "./ExplorationPicker";
import { RATES, kpiDefinition, kpiName } from "./kpi";

const DAY = "YYYY-MM-DD";

type Draft = {
  name: string;
  objective: string;
  metric: string | null;
  segment: string | null;
  exploration: string | null;
  cell: string | null; // the tracked row's group values, as JSON
  measure: string | null;
  target: number | string;
  startsOn: string | null;
  endsOn: string | null;
  owner: string | null;
  journeys: string[];
  campaigns: string[];
  events: string[];
  templateKey: string | null;
};

function fromProgram(p: Program | null): Draft {
  const start = dayjs().startOf("month");
  const rate = p ? RATES.has(p.kpi.metric) : false;
  return {
    name: p?.name ?? "",
    objective: p?.objective ?? "",
    metric: p?.kpi.metric ?? null,
    segment: p?.kpi.segment_id ? String(p.kpi.segment_id) : null,
    exploration: p?.kpi.exploration_id ? String(p.kpi.exploration_id) : null,
    cell: p?.kpi.cell ? JSON.stringify(p.kpi.cell) : null,
    measure: p?.kpi.measure ? String(p.kpi.measure) : null,
    target: p?.target === null || p?.target === undefined ? "" : rate ? Math.round(p.target * 10000) / 100 : p.target,
    startsOn: p?.starts_on ?? start.format(DAY),
    endsOn: p?.ends_on ?? start.add(2, "month").endOf("month").format(DAY),
    owner: p?.owner ? String(p.owner) : null,
    journeys: (p?.journey_ids ?? []).map(String),
    campaigns: (p?.campaign_ids ?? []).map(String),
    events: (p?.event_ids ?? []).map(String),
    templateKey: p?.template_key ?? null,
  };
}

// The server names fields as "kpi.segment_id", "journey_ids"...: each goes under its input.
const FIELDS: Record<string, keyof Draft> = {
  name: "name", objective: "objective", "kpi.metric": "metric", kpi: "metric", "kpi.segment_id": "segment",
  "kpi.exploration_id": "exploration", "kpi.cell": "cell", "kpi.measure": "measure", target: "target",
  starts_on: "startsOn", ends_on: "endsOn", owner: "owner", journey_ids: "journeys", campaign_ids: "campaigns", event_ids: "events",
};

/** Create a program (from a shipped template or blank) or edit one, in a drawer; mistakes are
 * shown under the field they concern, before and after the server checks. */
export function ProgramForm({ program, opened, onClose, onSaved }: {
  program: Program | null;
  opened: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === "fr" ? "fr" : "en";
  const templates = useProgramTemplates(language);
  const catalogue = useKpiCatalogue();
  const owners = useOwners();
  const choices = useProgramChoices(opened);
  const [draft, setDraft] = useState<Draft>(() => fromProgram(program));
  const [errors, setErrors] = useState<Partial<Record<keyof Draft, string>>>({});
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };
  const kpi = catalogue.data?.find((k) => k.metric === draft.metric);
  const isRate = draft.metric ? RATES.has(draft.metric) : false;

  const useTemplate = (key: string | null) => {
    const chosen = templates.data?.find((tpl) => tpl.key === key);
    if (!chosen) return set("templateKey", null);
    const start = dayjs().startOf("month");
    setDraft((d) => ({
      ...d,
      templateKey: chosen.key,
      name: chosen.key === "blank" ? d.name : chosen.name,
      objective: chosen.objective,
      metric: chosen.kpi.metric,
      startsOn: start.format(DAY),
      endsOn: start.add(chosen.months - 1, "month").endOf("month").format(DAY),
    }));
    setErrors({});
  };

  const check = () => {
    const found: Partial<Record<keyof Draft, string>> = {};
    if (!draft.name.trim()) found.name = t("plan.form.name_required");
    if (!draft.metric) found.metric = t("plan.form.kpi_required");
    if (kpi?.needs_segment && !draft.segment) found.segment = t("plan.form.segment_required");
    if (kpi?.needs_exploration && !draft.exploration) found.exploration = t("plan.form.exploration_required");
    if (!draft.startsOn) found.startsOn = t("plan.form.start_required");
    if (!draft.endsOn) found.endsOn = t("plan.form.end_required");
    if (draft.startsOn && draft.endsOn && draft.endsOn < draft.startsOn) found.endsOn = t("plan.form.end_before_start");
    if (typeof draft.target === "number" && draft.target < 0) found.target = t("plan.form.target_positive");
    return found;
  };

  const save = async () => {
    const found = check();
    setErrors(found);
    if (Object.keys(found).length) return;
    const target = typeof draft.target === "number" ? (isRate ? draft.target / 100 : draft.target) : null;
    const body: ProgramIn = {
      name: draft.name.trim(),
      objective: draft.objective,
      kpi: {
        metric: draft.metric as ProgramIn["kpi"]["metric"],
        segment_id: draft.segment ? Number(draft.segment) : null,
        ...(kpi?.needs_exploration ? {
          exploration_id: Number(draft.exploration),
          cell: draft.cell ? (JSON.parse(draft.cell) as ProgramIn["kpi"]["cell"]) : null,
          measure: draft.measure ? Number(draft.measure) : null,
        } : {}),
      },
      target,
      starts_on: draft.startsOn!,
      ends_on: draft.endsOn!,
      owner: draft.owner ? Number(draft.owner) : null,
      journey_ids: draft.journeys.map(Number),
      campaign_ids: draft.campaigns.map(Number),
      event_ids: draft.events.map(Number),
    };
    setSaving(true);
    try {
      if (program) {
        const { template_key: _unused, ...patch } = body;
        await updateProgram(program.id, patch);
      } else {
        await createProgram({ ...body, template_key: draft.templateKey });
      }
      onSaved();
    } catch (error) {
      const field = error instanceof ApiError && error.field ? FIELDS[error.field] ?? "name" : "name";
      setErrors({ [field]: (error as Error).message });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Drawer opened={opened} onClose={onClose} position="right" size="lg" title={program ? t("plan.form.edit_title") : t("plan.form.new_title")}>
      <Stack data-testid="program-form">
        {!program && (
          <Select
            label={t("plan.form.template")}
            description={t("plan.form.template_help")}
            data={(templates.data ?? []).map((tpl) => ({ value: tpl.key, label: tpl.name }))}
            value={draft.templateKey}
            onChange={useTemplate}
            clearable
            data-testid="program-template"
          />
        )}
        {draft.templateKey && !program && (
          <Text size="sm" c="dimmed" data-testid="program-template-description">
            {templates.data?.find((tpl) => tpl.key === draft.templateKey)?.description}
          </Text>
        )}
        <TextInput label={t("plan.form.name")} required value={draft.name} maxLength={200} error={errors.name}
          onChange={(e) => set("name", e.currentTarget.value)} data-testid="program-name" />
        <Textarea label={t("plan.form.objective")} value={draft.objective} maxLength={2000} autosize minRows={2}
          onChange={(e) => set("objective", e.currentTarget.value)} error={errors.objective} data-testid="program-objective" />
        <Select
          label={t("plan.form.kpi")}
          required
          data={(catalogue.data ?? []).map((k) => ({
            value: k.metric,
            label: k.available ? kpiName(t, k.metric) : t("plan.form.not_yet", { name: kpiName(t, k.metric) }),
            disabled: !k.available,
          }))}
          value={draft.metric}
          onChange={(value) => set("metric", value)}
          description={draft.metric ? kpiDefinition(t, draft.metric) : undefined}
          error={errors.metric}
          data-testid="program-kpi"
        />
        {(kpi?.needs_segment || draft.metric === "repeat_purchase_rate") && (
          <Select
            label={t("plan.form.segment")}
            description={kpi?.needs_segment ? undefined : t("plan.form.segment_optional")}
            required={kpi?.needs_segment}
            data={choices.data?.segments ?? []}
            value={draft.segment}
            onChange={(value) => set("segment", value)}
            searchable
            clearable={!kpi?.needs_segment}
            error={errors.segment}
            data-testid="program-segment"
          />
        )}
        {kpi?.needs_exploration && (
          <ExplorationPicker
            value={{ exploration: draft.exploration, cell: draft.cell, measure: draft.measure }}
            onChange={(value) => {
              setDraft((d) => ({ ...d, ...value }));
              setErrors((e) => ({ ...e, exploration: undefined, cell: undefined, measure: undefined }));
            }}
            errors={{ exploration: errors.exploration, cell: errors.cell, measure: errors.measure }}
          />
        )}
        <NumberInput
          label={isRate ? t("plan.form.target_percent") : t("plan.form.target")}
          value={draft.target}
          onChange={(value) => set("target", value)}
          min={0}
          max={isRate ? 100 : undefined}
          decimalScale={2}
          error={errors.target}
          data-testid="program-target"
        />
        <Group grow align="start">
          <DatePickerInput label={t("plan.form.starts_on")} required value={draft.startsOn} valueFormat="D MMM YYYY"
            onChange={(value) => set("startsOn", value)} error={errors.startsOn} data-testid="program-starts-on" />
          <DatePickerInput label={t("plan.form.ends_on")} required value={draft.endsOn} valueFormat="D MMM YYYY"
            onChange={(value) => set("endsOn", value)} error={errors.endsOn} data-testid="program-ends-on" />
        </Group>
        <Select label={t("plan.form.owner")} data={(owners.data ?? []).map((o) => ({ value: String(o.id), label: o.name }))}
          value={draft.owner} onChange={(value) => set("owner", value)} clearable error={errors.owner} data-testid="program-owner" />
        <MultiSelect label={t("plan.form.journeys")} data={choices.data?.journeys ?? []} value={draft.journeys} searchable
          onChange={(value) => set("journeys", value)} error={errors.journeys} data-testid="program-journeys" />
        <MultiSelect label={t("plan.form.campaigns")} data={choices.data?.campaigns ?? []} value={draft.campaigns} searchable
          onChange={(value) => set("campaigns", value)} error={errors.campaigns} data-testid="program-campaigns" />
        <MultiSelect label={t("plan.form.events")} data={choices.data?.events ?? []} value={draft.events} searchable
          onChange={(value) => set("events", value)} error={errors.events} data-testid="program-events" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-testid="program-cancel">{t("common.cancel")}</Button>
          <Button onClick={() => void save()} loading={saving} data-testid="program-save">{t("plan.form.save")}</Button>
        </Group>
      </Stack>
    </Drawer>
  );
}
