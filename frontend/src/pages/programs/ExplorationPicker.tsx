import { Select, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { explore, useExplorations, type ExploreMeasure } from "../../api/queries/reports_explore";

export type Tracked = { exploration: string | null; cell: string | null; measure: string | null };

const cellLabel = (values: unknown[]) => values.map((v) => (v === null ? "—" : String(v))).join(" · ");

/** The saved exploration a program's KPI tracks, and which of its figures: the row (when it
 * groups, picked from its current answer) and the measure (when it has several). */
export function ExplorationPicker({ value, onChange, errors }: {
  value: Tracked;
  onChange: (value: Tracked) => void;
  errors: Partial<Record<keyof Tracked, string | undefined>>;
}) {
  const { t } = useTranslation();
  const explorations = useExplorations();
  const chosen = explorations.data?.items.find((e) => String(e.id) === value.exploration);
  const grouped = (chosen?.question.group_by ?? []).length > 0;
  const answer = useQuery({
    queryKey: ["explorations", "rows", chosen?.id],
    queryFn: () => explore(chosen!.question),
    enabled: grouped,
  });
  const groups = chosen?.question.group_by?.length ?? 0;
  const measures: ExploreMeasure[] = chosen?.question.measures ?? [];
  const measureName = (m: ExploreMeasure) =>
    m.field ? t(`reports.explore.kinds_of.${m.kind}`, { field: m.field }) : t(`reports.explore.kinds.${m.kind}`);
  const rows = (answer.data?.rows ?? []).map((r) => ({ value: JSON.stringify(r.slice(0, groups)), label: cellLabel(r.slice(0, groups)) }));
  // A row saved earlier that the current answer no longer shows stays selectable.
  if (value.cell && !rows.some((r) => r.value === value.cell)) rows.unshift({ value: value.cell, label: cellLabel(JSON.parse(value.cell) as unknown[]) });
  return (
    <Stack gap="xs">
      <Select
        label={t("plan.form.exploration")}
        required
        data={(explorations.data?.items ?? []).map((e) => ({ value: String(e.id), label: e.name }))}
        value={value.exploration}
        onChange={(exploration) => onChange({ exploration, cell: null, measure: null })}
        searchable
        nothingFoundMessage={t("plan.form.no_explorations")}
        error={errors.exploration}
        data-testid="program-exploration"
      />
      {explorations.data && explorations.data.items.length === 0 && (
        <Text size="xs" c="dimmed" data-testid="program-no-explorations">{t("plan.form.no_explorations")}</Text>
      )}
      {grouped && (
        <Select
          label={t("plan.form.cell")}
          description={t("plan.form.cell_help", { groups: (chosen?.question.group_by ?? []).join(" · ") })}
          required
          data={rows}
          value={value.cell}
          onChange={(cell) => onChange({ ...value, cell })}
          searchable
          error={errors.cell}
          data-testid="program-cell"
        />
      )}
      {measures.length > 1 && (
        <Select
          label={t("plan.form.measure")}
          data={measures.map((m, i) => ({ value: String(i), label: measureName(m) }))}
          value={value.measure ?? "0"}
          onChange={(measure) => onChange({ ...value, measure })}
          allowDeselect={false}
          error={errors.measure}
          data-testid="program-measure"
        />
      )}
    </Stack>
  );
}
