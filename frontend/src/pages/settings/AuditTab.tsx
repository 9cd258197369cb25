// Settings → Audit log (admins): who did what and when, from where, with what changed — filtered,
// paged, downloadable as CSV. A row opens the change as a table of fields, before and after.
import { Badge, Button, Drawer, Group, Select, Stack, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconDownload } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { csvUrl, useAuditActions, useAuditEntries, type AuditEntry } from "../../api/queries/audit";
import { DataTable } from "../../components/DataTable";
import { formatDateTime } from "../../components/format";

const KINDS = [
  "user", "api_key", "custom_field", "organization", "topic", "contact", "contacts", "account", "segment", "journey",
  "email", "campaign", "form", "page", "asset", "event", "event_cost", "event_team_member", "program", "opportunity",
  "spend", "computed_field", "scoring_model", "webhook", "import_source", "scheduled_export",
];
const REDACTED = "[redacted]";

function useLabels() {
  const { t } = useTranslation();
  return {
    action: (action: string) => t(`audit.actions.${action}`, { defaultValue: action }),
    kind: (kind: string) => t(`audit.kinds.${kind}`, { defaultValue: kind }),
    value: (field: string, value: unknown): string => {
      if (value === null || value === undefined || value === "") return "—";
      if (value === REDACTED) return t("audit.redacted");
      if (field === "role" && typeof value === "string") return t(`roles.${value}`, { defaultValue: value });
      if (field === "reason" && typeof value === "string") return t(`audit.reasons.${value}`, { defaultValue: value });
      if (typeof value === "boolean") return value ? t("audit.yes") : t("audit.no");
      return typeof value === "object" ? JSON.stringify(value) : String(value);
    },
  };
}

/** The fields an entry names, before and after, side by side. */
function Changes({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  if (fields.length === 0) return <Text c="dimmed" size="sm">{t("audit.no_details")}</Text>;
  return (
    <Table withTableBorder data-testid="audit-changes">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("audit.field")}</Table.Th>
          <Table.Th>{t("audit.before")}</Table.Th>
          <Table.Th>{t("audit.after")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {fields.map((field) => (
          <Table.Tr key={field} data-testid={`audit-change-${field}`}>
            <Table.Td>{t(`audit.fields.${field}`, { defaultValue: field })}</Table.Td>
            <Table.Td>{entry.before ? labels.value(field, before[field]) : "—"}</Table.Td>
            <Table.Td>{entry.after ? labels.value(field, after[field]) : "—"}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function summary(entry: AuditEntry): string {
  return [...new Set([...Object.keys(entry.before ?? {}), ...Object.keys(entry.after ?? {})])].join(", ");
}

export function AuditTab() {
  const { t } = useTranslation();
  const labels = useLabels();
  const [typed, setTyped] = useState("");
  const [actor] = useDebouncedValue(typed, 300);
  const [action, setAction] = useState<string | null>(null);
  const [targetKind, setTargetKind] = useState<string | null>(null);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [open, setOpen] = useState<AuditEntry | null>(null);
  const filter = { actor, action, targetKind, from: from || null, to: to || null };
  const entries = useAuditEntries(filter);
  const actions = useAuditActions();
  return (
    <Stack>
      <Text c="dimmed" size="sm" maw={700}>{t("audit.hint")}</Text>
      <Group align="end">
        <TextInput label={t("audit.actor")} value={typed} onChange={(e) => setTyped(e.currentTarget.value)} data-testid="audit-actor" w={220} />
        <Select label={t("audit.action")} placeholder={t("common.any")} clearable value={action} onChange={setAction} data-testid="audit-action" w={240}
          data={(actions.data?.actions ?? []).map((a) => ({ value: a, label: labels.action(a) }))} />
        <Select label={t("audit.target")} placeholder={t("common.any")} clearable value={targetKind} onChange={setTargetKind} data-testid="audit-kind" w={200}
          data={KINDS.map((k) => ({ value: k, label: labels.kind(k) }))} />
        <TextInput type="date" label={t("audit.from")} value={from} onChange={(e) => setFrom(e.currentTarget.value)} data-testid="audit-from" />
        <TextInput type="date" label={t("audit.to")} value={to} onChange={(e) => setTo(e.currentTarget.value)} data-testid="audit-to" />
        <Button variant="default" component="a" href={csvUrl(filter)} download="audit-log.csv" leftSection={<IconDownload size={16} />} data-testid="audit-csv">
          {t("audit.csv")}
        </Button>
      </Group>
      <Text size="sm" c="dimmed">{entries.total !== undefined ? t("audit.total", { count: entries.total }) : ""}</Text>
      <DataTable
        testId="audit-table"
        rows={entries.items}
        rowKey={(e) => e.id}
        rowProps={(e) => ({ "data-testid": `audit-row-${e.id}` })}
        onRowClick={setOpen}
        loading={entries.isLoading}
        error={entries.error}
        pager={entries.pager}
        empty={{ message: t("audit.empty") }}
        columns={[
          { key: "at", header: t("audit.when"), render: (e) => formatDateTime(e.at) },
          { key: "actor", header: t("audit.actor"), render: (e) => (
            <>{e.actor_name} {e.actor_kind === "api_key" && <Badge variant="outline" size="sm">{t("audit.api_key")}</Badge>}</>
          ) },
          { key: "action", header: t("audit.action"), render: (e) => labels.action(e.action) },
          { key: "target", header: t("audit.target"), render: (e) => `${labels.kind(e.target_kind)} ${e.target_label || (e.target_id ? `#${e.target_id}` : "")}` },
          { key: "changes", header: t("audit.changes"), render: (e) => summary(e) },
          { key: "address", header: t("audit.address"), render: (e) => e.address },
        ]}
      />
      <Drawer opened={open !== null} onClose={() => setOpen(null)} position="right" size="lg" title={open ? labels.action(open.action) : ""}>
        {open && (
          <Stack data-testid="audit-detail">
            <Text size="sm">{t("audit.by", { who: open.actor_name, when: formatDateTime(open.at), address: open.address || "—" })}</Text>
            <Changes entry={open} />
          </Stack>
        )}
      </Drawer>
    </Stack>
  );
}
