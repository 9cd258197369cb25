import { BarChart } from "@mantine/charts";
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  List,
  Loader,
  Modal,
  NumberInput,
  Progress,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import {
  createField,
  deleteField,
  isBackfilling,
  keys,
  updateField,
  useFieldPreview,
  useFields,
  type ComputedField,
  type ComputedFieldIn,
} from "../../api/queries/behaviour";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { formatNumber, formatRelative } from "../../components/format";
import { InteractionChooser } from "../../components/conditions/InteractionChooser";
import { INTERACTION_TYPES, detailOf } from "../../components/conditions/interaction";

const AGGREGATES = ["count", "exists", "sum", "min", "max", "first", "last"] as const;
const NEEDS_PROPERTY = new Set(["sum", "min", "max"]);
const MAY_READ_PROPERTY = new Set(["sum", "min", "max", "first", "last"]);

type Draft = ComputedFieldIn;

const EMPTY: Draft = { name: "", label: "", aggregate: "count", interaction_type: "email_clicked", property: null, filter: null, window_days: 30 };

/** A key for rules from the marketer's label: "Pricing clicks (7 days)" → "pricing_clicks_7_days". */
export function keyOf(label: string): string {
  const key = label.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  return (/^[a-z]/.test(key) ? key : `f_${key}`).slice(0, 40).replace(/_+$/, "");
}

/** "Counts email clicked (link containing “/pricing”) in the last 7 days", in the marketer's words. */
export function useDescribe() {
  const { t } = useTranslation();
  return (field: Pick<Draft, "aggregate" | "interaction_type" | "property" | "filter" | "window_days">) => {
    const type = (INTERACTION_TYPES as readonly string[]).includes(field.interaction_type)
      ? t(`behaviour.types.${field.interaction_type}`) : field.interaction_type;
    const detail = detailOf(field.filter);
    const which = detail.kind === "none" ? "" : ` (${t(`behaviour.details.${detail.kind}`)} ${detail.value})`;
    const window = field.window_days ? t("behaviour.in_last_days", { count: field.window_days }) : t("behaviour.all_time");
    return t(`behaviour.describe.${field.aggregate}`, { what: `${type}${which}`, property: field.property ?? "", window });
  };
}

function Backfill({ field }: { field: ComputedField }) {
  const { t } = useTranslation();
  const job = field.backfill;
  if (!job) return null;
  if (job.status === "failed") return <Text size="xs" c="red" data-testid="behaviour-backfill-failed">{t("behaviour.backfill_failed")}</Text>;
  if (!isBackfilling(field)) return <Badge color="green" variant="light" data-testid="behaviour-backfill-done">{t("behaviour.up_to_date")}</Badge>;
  const percent = Math.round(job.progress * 100);
  return (
    <Stack gap={2} data-testid="behaviour-backfill" data-progress={percent}>
      <Text size="xs" c="dimmed">{t("behaviour.backfilling", { percent })}</Text>
      <Progress value={percent} animated size="sm" aria-label={t("common.progress")} />
    </Stack>
  );
}

function Preview({ draft }: { draft: Draft }) {
  const { t } = useTranslation();
  const [debounced] = useDebouncedValue(draft, 400);
  const ready = Boolean(debounced.interaction_type) && (!NEEDS_PROPERTY.has(debounced.aggregate) || Boolean(debounced.property));
  const preview = useFieldPreview({ ...debounced, name: "preview", label: "preview" }, ready);
  const data = preview.data;
  const error = preview.error instanceof ApiError ? preview.error.message : null;
  const bars = (data?.buckets ?? []).map((b) => ({ range: b.label, contacts: b.contacts }));
  return (
    <Card withBorder data-testid="behaviour-preview">
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600}>{t("behaviour.preview")}</Text>
          {preview.isFetching && <Loader size="xs" />}
        </Group>
        <Text size="xs" c="dimmed">{t(data?.value_type === "datetime" ? "behaviour.preview_hint_days" : "behaviour.preview_hint")}</Text>
        {error && <Alert color="red" p="xs" data-testid="behaviour-preview-error">{error}</Alert>}
        <Text size="sm" data-testid="behaviour-preview-with-value" data-count={data?.with_value ?? ""}>
          {data ? t("behaviour.with_value", { count: data.with_value, total: formatNumber(data.contacts) }) : "…"}
        </Text>
        <div data-testid="behaviour-preview-chart" data-buckets={JSON.stringify(data?.buckets ?? [])}>
          <BarChart h={200} data={bars} dataKey="range" tickLine="y"
            series={[{ name: "contacts", label: t("behaviour.contacts"), color: "indigo.6" }]} />
        </div>
      </Stack>
    </Card>
  );
}

function FieldEditor({ field, onClose }: { field: ComputedField | "new"; onClose: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const describe = useDescribe();
  const [draft, setDraft] = useState<Draft>(field === "new" ? EMPTY : {
    name: field.name, label: field.label, aggregate: field.aggregate as Draft["aggregate"], interaction_type: field.interaction_type,
    property: field.property, filter: field.filter, window_days: field.window_days,
  });
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const errorOf = (name: string) => (error?.field === name ? error.message : undefined);

  async function save() {
    setSaving(true);
    setError(null);
    try {
      const body = { ...draft, name: draft.name || keyOf(draft.label), property: MAY_READ_PROPERTY.has(draft.aggregate) ? draft.property || null : null };
      if (field === "new") await createField(body);
      else await updateField(field.id, body);
      void queries.invalidateQueries({ queryKey: keys.all });
      notifications.show({ color: "green", message: t("behaviour.saved", { label: draft.label }) });
      onClose();
    } catch (e) {
      if (e instanceof ApiError) setError(e);
      else throw e;
    } finally {
      setSaving(false);
    }
  }

  return (
    <Modal opened onClose={onClose} size="xl" title={field === "new" ? t("behaviour.new") : t("behaviour.edit", { label: field.label })}>
      <Stack>
        <TextInput label={t("behaviour.label")} description={t("behaviour.label_hint")} required data-testid="behaviour-label"
          value={draft.label} error={errorOf("label")}
          onChange={(e) => { const label = e.currentTarget.value; set(field === "new" ? { label, name: keyOf(label) } : { label }); }} />
        <Select label={t("behaviour.aggregate")} data-testid="behaviour-aggregate" allowDeselect={false} error={errorOf("aggregate")}
          data={AGGREGATES.map((a) => ({ value: a, label: t(`behaviour.aggregates.${a}`) }))}
          value={draft.aggregate} onChange={(a) => a && set({ aggregate: a as Draft["aggregate"] })} />
        <InteractionChooser testId="behaviour-interaction" interactionType={draft.interaction_type} filter={draft.filter ?? null}
          onChange={(interaction_type, filter) => set({ interaction_type, filter })} />
        {(errorOf("interaction_type") || errorOf("filter")) && (
          <Alert color="red" p="xs" data-testid="behaviour-filter-error">{errorOf("interaction_type") ?? errorOf("filter")}</Alert>
        )}
        {MAY_READ_PROPERTY.has(draft.aggregate) && (
          <TextInput label={t("behaviour.property")} description={t(NEEDS_PROPERTY.has(draft.aggregate) ? "behaviour.property_needed" : "behaviour.property_optional")}
            placeholder={t("behaviour.placeholders.property")} data-testid="behaviour-property" value={draft.property ?? ""} error={errorOf("property")}
            onChange={(e) => set({ property: e.currentTarget.value || null })} />
        )}
        <Stack gap={4}>
          <Text size="sm" fw={500}>{t("behaviour.window")}</Text>
          <Group>
            <SegmentedControl data-testid="behaviour-window-mode" value={draft.window_days ? "days" : "all"}
              data={[{ value: "all", label: t("behaviour.all_time") }, { value: "days", label: t("behaviour.last_days") }]}
              onChange={(mode) => set({ window_days: mode === "all" ? null : 30 })} />
            {draft.window_days != null && (
              <NumberInput aria-label={t("behaviour.days")} w={140} min={1} max={3650} allowDecimal={false} suffix={` ${t("behaviour.days")}`}
                data-testid="behaviour-window-days" value={draft.window_days} error={errorOf("window_days")}
                onChange={(v) => set({ window_days: v === "" ? 1 : Number(v) })} />
            )}
          </Group>
        </Stack>
        <Text size="sm" c="dimmed" data-testid="behaviour-sentence">{describe(draft)}</Text>
        <Preview draft={draft} />
        {error && !error.field && <Alert color="red" data-testid="behaviour-error">{error.message}</Alert>}
        {error?.field === "name" && <Alert color="red" data-testid="behaviour-error">{error.message}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-testid="behaviour-cancel">{t("common.cancel")}</Button>
          <Button onClick={() => void save()} loading={saving} disabled={!draft.label.trim()} data-testid="behaviour-save">
            {field === "new" ? t("behaviour.create") : t("common.save")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function BehaviourFieldsPage() {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const describe = useDescribe();
  const [fast, setFast] = useState(false);
  const fields = useFields(fast);
  const rows = fields.data?.items;
  const running = Boolean(rows?.some(isBackfilling));
  if (running !== fast) setFast(running);
  const [editing, setEditing] = useState<ComputedField | "new" | null>(null);
  const [blocked, setBlocked] = useState<{ label: string; usedBy: string[] } | null>(null);

  async function remove(field: ComputedField) {
    try {
      await deleteField(field.id);
      void queries.invalidateQueries({ queryKey: keys.all });
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setBlocked({ label: field.label, usedBy: (e.details.used_by as string[]) ?? [] });
      else throw e;
    }
  }

  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Title order={2}>{t("behaviour.title")}</Title>
          <Text c="dimmed" size="sm">{t("behaviour.intro")}</Text>
        </div>
        {canWrite && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing("new")} data-testid="behaviour-new">{t("behaviour.new")}</Button>
        )}
      </Group>
      {blocked && (
        <Alert color="orange" withCloseButton onClose={() => setBlocked(null)} title={t("behaviour.in_use", { label: blocked.label })} data-testid="behaviour-used-by">
          <List size="sm">{blocked.usedBy.map((where) => <List.Item key={where}>{where}</List.Item>)}</List>
        </Alert>
      )}
      <DataTable
        testId="behaviour-table"
        rows={rows}
        rowKey={(f) => f.id}
        rowProps={(f) => ({ "data-testid": `behaviour-row-${f.name}` })}
        loading={fields.isLoading}
        error={fields.error}
        pager={fields.pager}
        empty={{ message: t("behaviour.empty"), testId: "behaviour-empty" }}
        columns={[
          { key: "label", header: t("behaviour.label"), sortValue: (f) => f.label, render: (f) => (
            <Stack gap={0}>
              <Anchor component="button" type="button" onClick={() => setEditing(f)} data-testid="behaviour-row-open">{f.label}</Anchor>
              <Text size="xs" c="dimmed">{describe({ ...f, aggregate: f.aggregate as Draft["aggregate"] })}</Text>
            </Stack>
          ) },
          { key: "field", header: t("behaviour.rule_field"), render: (f) => <Text size="xs" ff="monospace">{f.field}</Text> },
          { key: "state", header: t("behaviour.state"), render: (f) => <Backfill field={f} /> },
          { key: "updated_at", header: t("behaviour.last_change"), sortValue: (f) => f.updated_at, render: (f) => formatRelative(f.updated_at) },
        ]}
        actions={canWrite ? [{
          key: "delete", label: t("common.delete"), icon: <IconTrash size={16} />, testId: "behaviour-delete",
          confirm: (f) => ({ title: t("behaviour.delete_title"), message: t("behaviour.delete_warning", { label: f.label }),
            confirm: t("common.delete"), testId: "behaviour-delete-confirm" }),
          onClick: remove,
        }] : []}
      />
      {editing !== null && <FieldEditor key={editing === "new" ? "new" : editing.id} field={editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}
