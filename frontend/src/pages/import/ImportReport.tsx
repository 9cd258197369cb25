// A finished import: its counts, the rows it left out and the values it could not keep, each with its
// line in the file (the header is line 1), and the same list as a CSV to download.
import { Alert, Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { IconAlertTriangle, IconCheck, IconX } from "@tabler/icons-react";
import type { TFunction } from "i18next";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Job, Schemas } from "../../api/client";
import { DataTable } from "../../components/DataTable";
import { formatNumber } from "../../components/format";

type Result = Schemas["ImportResult"];
type Problem = { key: string; row: number; field: string | null; reason: string; imported: boolean };

const SHOWN = 200;

export function fieldLabel(field: string, t: TFunction): string {
  return field.startsWith("custom.") ? field.slice(7) : t(`fields.${field}`);
}

/** Rows not imported, then values left out of imported rows, in file order. */
function problems(result: Result): Problem[] {
  const skipped = (result.skipped_rows ?? []).map((s, i) => ({
    key: `s${i}`, row: s.row, field: null, reason: s.reason, imported: false,
  }));
  const leftOut = result.errors.filter((e) => e.value_left_out).map((e, i) => ({
    key: `v${i}`, row: e.row, field: e.field ?? null, reason: e.message, imported: true,
  }));
  return [...skipped, ...leftOut].sort((a, b) => a.row - b.row);
}

function outcome(problem: Problem, t: TFunction): string {
  return problem.imported && problem.field
    ? t("import.report.imported_without", { field: fieldLabel(problem.field, t).toLowerCase() })
    : t("import.report.not_imported");
}

function reportCsv(rows: Problem[], t: TFunction): string {
  const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
  const header = [t("import.line"), t("import.report.outcome"), t("import.field"), t("import.reason")].map(quote).join(",");
  const lines = rows.map((p) =>
    [String(p.row), quote(outcome(p, t)), quote(p.field ? fieldLabel(p.field, t) : ""), quote(p.reason)].join(","),
  );
  // The byte order mark lets Excel read the accents.
  return "\ufeff" + [header, ...lines].join("\r\n");
}

export function ImportReport({ job }: { job: Job }) {
  const { t } = useTranslation();
  const result = job.result?.kind === "contact_import" ? job.result : null;
  const rows = useMemo(() => (result ? problems(result) : []), [result]);
  const download = useMemo(() => URL.createObjectURL(new Blob([reportCsv(rows, t)], { type: "text/csv" })), [rows, t]);
  const total = (result?.skipped_row_count ?? 0) + rows.filter((p) => p.imported).length;
  const committed = result?.committed !== false;
  const summary = [
    t("import.summary.created", { count: result?.created ?? 0 }),
    t("import.summary.updated", { count: result?.updated ?? 0 }),
    t("import.summary.rejected", { count: result?.rejected_rows ?? 0 }),
  ].join(", ");
  return (
    <Stack data-testid="import-report">
      {job.status === "failed" ? (
        <Alert color="red" icon={<IconX />} data-testid="import-failed">
          {job.message}
        </Alert>
      ) : committed ? (
        <Alert color="green" icon={<IconCheck />} title={t("import.done")} data-testid="import-done">
          {summary}.
        </Alert>
      ) : (
        <Alert color="orange" icon={<IconAlertTriangle />} title={t("import.nothing_imported")} data-testid="import-not-committed">
          {t("import.nothing_imported_hint")}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        {(["created", "updated", "skipped", "rejected_rows"] as const).map((key) => (
          <Paper withBorder p="sm" key={key}>
            <Text size="xs" c="dimmed">
              {t(`import.result.${key}`)}
            </Text>
            <Text fw={700} size="xl" data-testid={`import-result-${key}`}>
              {formatNumber(result?.[key] ?? 0)}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      {rows.length > 0 && (
        <Stack gap="xs">
          <Group justify="space-between">
            <Title order={4} data-testid="import-problems-title">{t("import.report.title", { count: total })}</Title>
            <Anchor href={download} download="import-report.csv" data-testid="import-report-download">
              {t("import.report.download")}
            </Anchor>
          </Group>
          {rows.length > SHOWN && (
            <Text size="sm" c="dimmed" data-testid="import-problems-capped">
              {t("import.report.capped", { count: rows.length, shown: SHOWN })}
            </Text>
          )}
          <DataTable
            testId="import-problems"
            rows={rows.slice(0, SHOWN)}
            rowKey={(p) => p.key}
            rowProps={() => ({ "data-testid": "import-problem-row" })}
            highlightOnHover={false}
            striped
            columns={[
              { key: "row", header: t("import.line"), width: 80, sortValue: (p) => p.row, render: (p) => p.row },
              {
                key: "outcome",
                header: t("import.report.outcome"),
                width: 220,
                render: (p) => (
                  <Badge variant="light" color={p.imported ? "yellow" : "red"}>{outcome(p, t)}</Badge>
                ),
              },
              { key: "reason", header: t("import.reason"), render: (p) => p.reason },
            ]}
          />
        </Stack>
      )}
      <Group>
        <Button component={Link} to="/contacts" data-testid="import-see-contacts">
          {t("import.see_contacts")}
        </Button>
      </Group>
    </Stack>
  );
}
