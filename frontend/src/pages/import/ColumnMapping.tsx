// Which field each column of a CSV fills: the import wizard's mapping step, also used to save the
// mapping of a scheduled import source.
import { Select, Text } from "@mantine/core";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import type { ImportPreview } from "../../api/client";
import { DataTable } from "../../components/DataTable";
import { fieldLabel } from "./ImportReport";

export type Mapping = Record<string, string | null>;

/** What is wrong with a mapping, in words, or null: the email must be mapped, each field once. */
export function mappingProblem(mapping: Mapping, t: TFunction): string | null {
  const targets = Object.values(mapping).filter(Boolean) as string[];
  const duplicated = targets.filter((f, i) => targets.indexOf(f) !== i);
  return !targets.includes("email") ? t("import.map_email") : duplicated.length ? t("import.map_twice") : null;
}

export function ColumnMapping({
  preview,
  mapping,
  onChange,
  testId = "import",
}: {
  preview: Pick<ImportPreview, "header" | "sample" | "fields">;
  mapping: Mapping;
  onChange: (mapping: Mapping) => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  const targets = Object.values(mapping).filter(Boolean) as string[];
  const duplicated = new Set(targets.filter((f, i) => targets.indexOf(f) !== i));
  const fieldOptions = [{ value: "", label: t("import.ignore") }, ...preview.fields.map((f) => ({ value: f, label: fieldLabel(f, t) }))];
  return (
    <DataTable
      testId={`${testId}-mapping`}
      rows={preview.header.map((column, index) => ({ column, index }))}
      rowKey={(c) => c.column}
      highlightOnHover={false}
      columns={[
        { key: "column", header: t("import.column"), render: (c) => <Text fw={600} size="sm">{c.column}</Text> },
        {
          key: "sample",
          header: t("import.sample"),
          render: (c) => (
            <Text size="sm" c="dimmed" lineClamp={1}>
              {preview.sample.slice(0, 3).map((row) => row[c.index]).filter(Boolean).join(" · ")}
            </Text>
          ),
        },
        {
          key: "field",
          header: t("import.field"),
          width: 260,
          render: ({ column, index }) => (
            <Select
              aria-label={t("import.field_for", { column })}
              data={fieldOptions}
              value={mapping[column] ?? ""}
              onChange={(v) => onChange({ ...mapping, [column]: v || null })}
              error={mapping[column] && duplicated.has(mapping[column]!) ? t("import.map_twice") : undefined}
              searchable
              allowDeselect={false}
              data-testid={`${testId}-map-${index}`}
            />
          ),
        },
      ]}
    />
  );
}
