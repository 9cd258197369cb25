import { BarChart, LineChart } from "@mantine/charts";
import { ActionIcon, Alert, Anchor, Button, Card, Group, MultiSelect, Select, Stack, Table, TagsInput, Text, TextInput, Title, VisuallyHidden } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { IconDownload, IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  countBehind,
  deleteExploration,
  explore,
  keys,
  saveExploration,
  segmentFromRow,
  useExplorations,
  type ExploreAnswer,
  type ExploreMeasure,
  type ExploreQuestion,
  type RowValues,
} from "../../api/queries/reports_explore";
import { useRuleFields } from "../../api/queries/rules";
import { useSegments } from "../../api/queries/segments";
import { ConditionInput } from "../../components/conditions/ConditionInput";
import { confirmDanger } from "../../components/confirm";
import { formatDateTime, formatNumber } from "../../components/format";
import { ReportHeader } from "./ReportHeader";

type Dataset = ExploreQuestion["dataset"];
const DATASETS: Dataset[] = ["contacts", "interactions", "purchases", "opportunities"];
const TIME = ["day", "week", "month"];
const OWN_DIMENSIONS: Record<Dataset, string[]> = { contacts: [], interactions: ["type"], purchases: ["product", "category"], opportunities: ["stage"] };
const OWN_NUMBERS: Record<Dataset, string[]> = { contacts: [], interactions: ["value"], purchases: ["amount", "quantity"], opportunities: ["budget", "estimated_revenue", "actual_revenue"] };
const GROUPABLE = ["string", "choice", "country", "language", "boolean", "number"];
const KINDS: ExploreMeasure["kind"][] = ["count", "contacts", "sum", "avg", "median"];
const STAGES = ["qualify", "develop", "propose", "won", "lost"];
const PROPERTY = "property:";
const COLORS = ["indigo.6", "teal.7", "orange.7", "grape.6", "cyan.7", "pink.6", "lime.8", "yellow.8", "gray.6", "red.7", "blue.7", "green.8"];

type Option = { value: string; label: string };
type Group = { group: string; items: Option[] };

/** What the question may be grouped by, and which numbers it may add up, for one dataset. */
function useCatalogue(dataset: Dataset) {
  const { t, i18n } = useTranslation();
  const fields = useRuleFields().data ?? [];
  const segments = useSegments().data ?? [];
  const label = (f: { label_en: string; label_fr: string }) => (i18n.language.startsWith("fr") ? f.label_fr : f.label_en);
  const own = (name: string) => t(`reports.explore.fields.${name}`);
  const contactGroups = fields.filter((f) => GROUPABLE.includes(f.type)).map((f) => ({ value: f.name, label: label(f) }));
  const properties = dataset === "interactions" || dataset === "purchases";
  const dimensions: Group[] = [
    { group: t("reports.explore.groups.time"), items: TIME.map((v) => ({ value: v, label: t(`reports.explore.time.${v}`) })) },
    { group: t(`reports.explore.datasets.${dataset}`), items: [
      ...OWN_DIMENSIONS[dataset].map((v) => ({ value: v, label: own(v) })),
      ...(properties ? [{ value: PROPERTY, label: t("reports.explore.property") }] : []),
    ] },
    { group: t("reports.explore.groups.contact"), items: contactGroups },
    { group: t("reports.explore.groups.segments"), items: segments.map((s) => ({ value: `segment:${s.id}`, label: t("reports.explore.in_segment", { name: s.name }) })) },
  ].filter((g) => g.items.length > 0);
  const numbers: Group[] = [
    { group: t(`reports.explore.datasets.${dataset}`), items: [
      ...OWN_NUMBERS[dataset].map((v) => ({ value: v, label: own(v) })),
      ...(properties ? [{ value: PROPERTY, label: t("reports.explore.property") }] : []),
    ] },
    { group: t("reports.explore.groups.contact"), items: fields.filter((f) => f.type === "number").map((f) => ({ value: f.name, label: label(f) })) },
  ].filter((g) => g.items.length > 0);
  const names = new Map<string, string>(dimensions.concat(numbers).flatMap((g) => g.items.map((o) => [o.value, o.label] as [string, string])));
  const nameOf = (key: string) => names.get(key) ?? (key.startsWith(PROPERTY) ? key.slice(PROPERTY.length) : key);
  // A choice field's values in words (an RFM group, a stage...).
  const choices = new Map(fields.map((f) => [f.name, new Map(f.choices.map((c) => [c.value, (i18n.language.startsWith("fr") ? c.label_fr : c.label_en) ?? c.value]))]));
  const choiceOf = (key: string, value: string) => choices.get(key)?.get(value) ?? value;
  return { dimensions, numbers, nameOf, choiceOf };
}

/** A group-by or a measure's field: a choice from the catalogue, or an interaction property typed in. */
function FieldPicker({ label, value, onChange, data, testId, clearable }: { label: string; value: string | null; onChange: (v: string | null) => void; data: Group[]; testId: string; clearable?: boolean }) {
  const { t } = useTranslation();
  const isProperty = value?.startsWith(PROPERTY) ?? false;
  return (
    <Group gap="xs" align="end">
      <Select label={label} data={data} value={isProperty ? PROPERTY : value} onChange={onChange} searchable clearable={clearable} w={220} data-testid={testId} />
      {isProperty && (
        <TextInput
          label={t("reports.explore.property_name")}
          placeholder={t("reports.explore.property_example")}
          value={value!.slice(PROPERTY.length)}
          onChange={(e) => onChange(PROPERTY + e.currentTarget.value)}
          w={160}
          data-testid={`${testId}-property`}
        />
      )}
    </Group>
  );
}

function csvOf(answer: ExploreAnswer, header: string[]): string {
  const cell = (v: unknown) => {
    const text = v == null ? "" : String(v);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header, ...answer.rows].map((row) => row.map(cell).join(",")).join("\n");
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  link.click();
  URL.revokeObjectURL(url);
}

/** The answer as a picture: bars for one group, grouped bars for two, lines over time. */
function AnswerChart({ answer, question, show, measureNames }: { answer: ExploreAnswer; question: ExploreQuestion; show: (v: unknown, dimension?: string) => string; measureNames: string[] }) {
  const { t } = useTranslation();
  const groups = question.group_by ?? [];
  if (groups.length === 0 || answer.rows.length === 0) return null;
  const timed = TIME.includes(groups[0]);
  let data: Record<string, string | number>[];
  let series: { name: string; label: string; color: string }[];
  if (groups.length === 1) {
    data = answer.rows.map((r) => Object.fromEntries([["x", show(r[0], groups[0])], ...measureNames.map((_, i) => [`m${i}`, Number(r[1 + i] ?? 0)])]));
    series = measureNames.map((name, i) => ({ name: `m${i}`, label: name, color: COLORS[i % COLORS.length] }));
  } else {
    // Two groups: the first along the axis, the second as series (its 12 largest), the first measure.
    const second = (r: unknown[]) => show(r[1], groups[1]);
    const seconds = [...new Set(answer.rows.map(second))].slice(0, 12);
    const byFirst = new Map<string, Record<string, string | number>>();
    for (const r of answer.rows) {
      const x = show(r[0], groups[0]);
      const point = byFirst.get(x) ?? { x };
      if (seconds.includes(second(r))) point[`s${seconds.indexOf(second(r))}`] = Number(r[2] ?? 0);
      byFirst.set(x, point);
    }
    data = [...byFirst.values()];
    series = seconds.map((name, i) => ({ name: `s${i}`, label: name, color: COLORS[i % COLORS.length] }));
  }
  const chart = timed ? (
    <LineChart h={280} data={data} dataKey="x" series={series} withLegend curveType="linear" />
  ) : (
    <BarChart h={280} data={data} dataKey="x" series={series} withLegend />
  );
  return (
    <div role="img" aria-label={t("reports.explore.chart_label")} data-testid="explore-chart">
      {chart}
    </div>
  );
}

/** Free exploration: pick what to count, filter it, group it by up to two things, measure it;
 * see a table and a chart, save the question, turn a row's contacts into a segment. */
export function ExplorePage() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [dataset, setDataset] = useState<Dataset>("purchases");
  const [rule, setRule] = useState("");
  const [types, setTypes] = useState<string[]>([]);
  const [stages, setStages] = useState<string[]>([]);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [groups, setGroups] = useState<(string | null)[]>([null, null]);
  const [measures, setMeasures] = useState<ExploreMeasure[]>([{ kind: "count" }]);
  const [asked, setAsked] = useState<ExploreQuestion | null>(null);
  const [answer, setAnswer] = useState<ExploreAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [name, setName] = useState("");
  const saved = useExplorations();
  const { dimensions, numbers, nameOf, choiceOf } = useCatalogue(dataset);

  const question: ExploreQuestion = useMemo(() => ({
    dataset,
    filters: {
      rule: rule.trim() || null,
      types: dataset === "interactions" ? types : [],
      stages: dataset === "opportunities" ? stages : [],
      from: from || null,
      to: to || null,
    },
    group_by: groups.filter((g): g is string => !!g),
    measures,
  }), [dataset, rule, types, stages, from, to, groups, measures]);

  const measureName = (m: ExploreMeasure) => (m.field ? t(`reports.explore.kinds_of.${m.kind}`, { field: nameOf(m.field) }) : t(`reports.explore.kinds.${m.kind}`));
  const show = (v: unknown, dimension?: string) =>
    v == null ? t("reports.explore.empty_value")
      : typeof v === "boolean" ? t(v ? "reports.explore.yes" : "reports.explore.no")
      : dimension?.startsWith("segment:") ? t(`reports.explore.membership.${v === "in" ? "in" : "out"}`)
      : dimension ? choiceOf(dimension, String(v))
      : String(v);

  const run = async (q: ExploreQuestion = question) => {
    setRunning(true);
    setError(null);
    try {
      setAnswer(await explore(q));
      setAsked(q);
    } catch (e) {
      setAnswer(null);
      setError((e as Error).message);
    } finally {
      setRunning(false);
    }
  };

  const open = (id: string | null) => {
    const found = saved.data?.items.find((s) => String(s.id) === id);
    if (!found) return;
    const q = found.question;
    setDataset(q.dataset);
    setRule(q.filters?.rule ?? "");
    setTypes(q.filters?.types ?? []);
    setStages(q.filters?.stages ?? []);
    setFrom(q.filters?.from ?? "");
    setTo(q.filters?.to ?? "");
    setGroups([q.group_by?.[0] ?? null, q.group_by?.[1] ?? null]);
    setMeasures(q.measures ?? [{ kind: "count" }]);
    setName(found.name);
    void run(q);
  };

  const save = async () => {
    if (!name.trim()) return;
    const kind = question.group_by!.length === 2 ? "grouped_bar" : TIME.includes(question.group_by![0] ?? "") ? "line" : "bar";
    try {
      await saveExploration({ name: name.trim(), question, chart: kind, shared: false });
      notifications.show({ color: "green", message: t("reports.explore.saved", { name }) });
      void queries.invalidateQueries({ queryKey: keys.all });
    } catch (e) {
      notifications.show({ color: "red", message: (e as Error).message });
    }
  };

  const toSegment = async (values: RowValues) => {
    if (!asked) return;
    try {
      const { contacts } = await countBehind(asked, values);
      const label = values.map((v, i) => show(v, asked.group_by?.[i])).join(" · ");
      const segmentName = t("reports.explore.segment_name", { values: label }).slice(0, 200);
      modals.openConfirmModal({
        title: t("reports.explore.segment_title"),
        children: <Text size="sm" data-testid="explore-segment-message">{t("reports.explore.segment_message", { count: contacts, name: segmentName })}</Text>,
        labels: { confirm: t("reports.explore.segment_confirm"), cancel: t("common.cancel") },
        confirmProps: { "data-testid": "explore-segment-confirm", disabled: contacts === 0 } as never,
        onConfirm: async () => {
          try {
            const made = await segmentFromRow(asked, values, segmentName);
            // Notifications render outside the router: a plain link, not a router <Link>.
            notifications.show({
              color: "green",
              message: (
                <span data-testid="explore-segment-made">
                  {t("reports.explore.segment_made", { count: made.size, name: made.name })}{" "}
                  <Anchor href={`/segments/${made.segment_id}`}>{t("reports.explore.open_segment")}</Anchor>
                </span>
              ),
            });
          } catch (e) {
            notifications.show({ color: "red", message: (e as Error).message });
          }
        },
      });
    } catch (e) {
      notifications.show({ color: "red", message: (e as Error).message });
    }
  };

  const header = asked ? [...(asked.group_by ?? []).map(nameOf), ...(asked.measures ?? []).map(measureName)] : [];
  const groupCount = asked?.group_by?.length ?? 0;
  const setMeasure = (i: number, m: ExploreMeasure) => setMeasures(measures.map((old, j) => (j === i ? m : old)));

  return (
    <Stack data-testid="report-explore">
      <ReportHeader page="explore">
        <Select
          placeholder={t("reports.explore.open_saved")}
          aria-label={t("reports.explore.open_saved")}
          data={(saved.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.mine ? s.name : `${s.name} (${s.owner})` }))}
          onChange={open}
          value={null}
          size="xs"
          w={220}
          data-testid="explore-open"
        />
      </ReportHeader>
      <Card withBorder>
        <Stack>
          <Select
            label={t("reports.explore.dataset")}
            data={DATASETS.map((d) => ({ value: d, label: t(`reports.explore.datasets.${d}`) }))}
            value={dataset}
            onChange={(v) => { if (v) { setDataset(v as Dataset); setGroups([null, null]); setMeasures([{ kind: "count" }]); } }}
            allowDeselect={false}
            w={260}
            data-testid="explore-dataset"
          />
          <ConditionInput
            label={dataset === "contacts" ? t("reports.explore.which_contacts") : t("reports.explore.whose_contacts")}
            value={rule}
            onChange={setRule}
            testId="explore-rule"
          />
          <Group align="end">
            {dataset === "interactions" && (
              <TagsInput label={t("reports.explore.types")} value={types} onChange={setTypes} w={260} data-testid="explore-types" />
            )}
            {dataset === "opportunities" && (
              <MultiSelect label={t("reports.explore.stages")} data={STAGES.map((s) => ({ value: s, label: t(`reports.explore.stage.${s}`) }))} value={stages} onChange={setStages} w={260} data-testid="explore-stages" />
            )}
            <TextInput type="date" label={t(`reports.explore.from_${dataset === "opportunities" ? "close" : "date"}`)} value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={170} data-testid="explore-from" />
            <TextInput type="date" label={t("reports.explore.to")} value={to} onChange={(e) => setTo(e.currentTarget.value)} w={170} data-testid="explore-to" />
          </Group>
          <Group align="end">
            {[0, 1].map((i) => (
              <FieldPicker
                key={i}
                label={t(`reports.explore.group_${i}`)}
                value={groups[i]}
                onChange={(v) => setGroups(groups.map((g, j) => (j === i ? v : g)))}
                data={dimensions}
                testId={`explore-group-${i}`}
                clearable
              />
            ))}
          </Group>
          <Stack gap="xs">
            {measures.map((m, i) => (
              <Group key={i} align="end">
                <Select
                  label={t("reports.explore.measure", { n: i + 1 })}
                  data={KINDS.map((k) => ({ value: k, label: t(`reports.explore.kinds.${k}`) }))}
                  value={m.kind}
                  onChange={(k) => k && setMeasure(i, { kind: k as ExploreMeasure["kind"], field: ["sum", "avg", "median"].includes(k) ? (m.field ?? OWN_NUMBERS[dataset][0] ?? null) : null })}
                  allowDeselect={false}
                  w={200}
                  data-testid={`explore-measure-${i}`}
                />
                {["sum", "avg", "median"].includes(m.kind) && (
                  <FieldPicker label={t("reports.explore.of")} value={m.field ?? null} onChange={(f) => setMeasure(i, { ...m, field: f })} data={numbers} testId={`explore-measure-${i}-field`} />
                )}
                {measures.length > 1 && (
                  <ActionIcon variant="subtle" color="red" aria-label={t("reports.explore.remove_measure")} onClick={() => setMeasures(measures.filter((_, j) => j !== i))} data-testid={`explore-measure-${i}-remove`}>
                    <IconTrash size={16} />
                  </ActionIcon>
                )}
              </Group>
            ))}
            {measures.length < 5 && (
              <Button variant="subtle" size="xs" w="fit-content" leftSection={<IconPlus size={14} />} onClick={() => setMeasures([...measures, { kind: "count" }])} data-testid="explore-add-measure">
                {t("reports.explore.add_measure")}
              </Button>
            )}
          </Stack>
          <Group>
            <Button onClick={() => void run()} loading={running} data-testid="explore-run">{t("reports.explore.run")}</Button>
            <TextInput aria-label={t("reports.explore.name")} placeholder={t("reports.explore.name")} value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={200} w={240} data-testid="explore-name" />
            <Button variant="default" onClick={() => void save()} disabled={!name.trim()} data-testid="explore-save">{t("reports.explore.save")}</Button>
            {saved.data?.items.some((s) => s.mine && s.name === name.trim()) && (
              <Button
                variant="subtle"
                color="red"
                data-testid="explore-delete"
                onClick={() => {
                  const found = saved.data!.items.find((s) => s.mine && s.name === name.trim())!;
                  confirmDanger({
                    title: t("reports.explore.delete_title"),
                    message: t("reports.explore.delete_message", { name: found.name }),
                    confirm: t("reports.explore.delete_confirm"),
                    testId: "explore-delete-confirm",
                    onConfirm: async () => {
                      await deleteExploration(found.id);
                      void queries.invalidateQueries({ queryKey: keys.all });
                    },
                  });
                }}
              >
                {t("reports.explore.delete")}
              </Button>
            )}
          </Group>
        </Stack>
      </Card>
      {error && <Alert color="red" title={t("reports.explore.failed")} data-testid="explore-error">{error}</Alert>}
      {answer && asked && (
        <Card withBorder data-testid="explore-answer">
          <Group justify="space-between" mb="xs">
            <Title order={4}>{t("reports.explore.answer")}</Title>
            <Group gap="xs">
              <Text size="xs" c="dimmed" data-testid="explore-as-of">{t(`reports.explore.source_${answer.source}`, { time: formatDateTime(answer.as_of) })}</Text>
              <Button size="xs" variant="default" leftSection={<IconDownload size={14} />} onClick={() => download("exploration.csv", csvOf(answer, header))} data-testid="explore-csv">
                {t("reports.csv")}
              </Button>
            </Group>
          </Group>
          {answer.truncated && <Alert color="yellow" mb="xs" data-testid="explore-truncated">{t("reports.explore.truncated", { count: answer.rows.length })}</Alert>}
          <AnswerChart answer={answer} question={asked} show={show} measureNames={(asked.measures ?? []).map(measureName)} />
          <Table striped mt="sm" data-testid="explore-table">
            <Table.Thead>
              <Table.Tr>
                {header.map((h, i) => <Table.Th key={i} ta={i >= groupCount ? "right" : undefined}>{h}</Table.Th>)}
                {groupCount > 0 && <Table.Th><VisuallyHidden>{t("reports.explore.actions")}</VisuallyHidden></Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {answer.rows.length === 0 && (
                <Table.Tr><Table.Td colSpan={header.length + 1}><Text c="dimmed">{t("reports.explore.no_rows")}</Text></Table.Td></Table.Tr>
              )}
              {answer.rows.map((row, r) => (
                <Table.Tr key={r} data-testid={`explore-row-${r}`}>
                  {row.map((v, i) => (
                    <Table.Td key={i} ta={i >= groupCount ? "right" : undefined}>
                      {i < groupCount ? show(v, asked.group_by?.[i]) : v == null ? "—" : formatNumber(Number(v))}
                    </Table.Td>
                  ))}
                  {groupCount > 0 && (
                    <Table.Td>
                      <Button size="compact-xs" variant="subtle" onClick={() => void toSegment(row.slice(0, groupCount) as RowValues)} data-testid={`explore-row-${r}-segment`}>
                        {t("reports.explore.make_segment")}
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
    </Stack>
  );
}
