// Duplicates: the pairs of contacts that are probably one person, each reviewed side by side (a pick
// per field) and merged once the marketer has read what the merge does.
import { Alert, Anchor, Badge, Button, Group, List, Modal, Paper, SegmentedControl, Stack, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowLeft, IconArrowsExchange, IconGitMerge, IconUsers } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { type Contact } from "../../api/client";
import { keys, mergeContacts, tellApart, undoTellApart, useDuplicates, type DuplicatePair, type MergeChoices } from "../../api/queries/contacts";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatNumber } from "../../components/format";
import { countryName } from "../../components/vocabulary";

type Side = "survivor" | "other";

// The fields a marketer picks between, in the order a contact page shows them (account_id is the company).
const FIELDS = [
  "email", "first_name", "last_name", "phone", "job_title", "account_id", "country", "city",
  "language", "birth_date", "gender", "lifecycle_stage", "source",
] as const;
type Field = (typeof FIELDS)[number];

const isEmpty = (field: string, value: unknown) =>
  value === null || value === undefined || value === "" || (field === "lifecycle_stage" && value === "subscriber");

function displayName(contact: Contact, fallback: string) {
  return [contact.first_name, contact.last_name].filter(Boolean).join(" ") || fallback;
}

export function DuplicatesPage() {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const pairs = useDuplicates();
  const [reviewing, setReviewing] = useState<DuplicatePair | null>(null);
  const queries = useQueryClient();
  const refresh = () => void queries.invalidateQueries({ queryKey: keys.duplicates() });
  // Told apart at once, with an undo in the notice: a slip of the mouse costs nothing.
  const onTellApart = async (pair: DuplicatePair) => {
    const [one, other] = [pair.contact, pair.other];
    try {
      await tellApart(one.id, other.id);
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
      return;
    }
    refresh();
    const id = `told-apart-${one.id}-${other.id}`;
    notifications.show({
      id,
      color: "green",
      autoClose: 10_000,
      message: (
        <Group gap="xs" data-testid="told-apart-notice">
          <Text size="sm">{t("duplicates.told_apart", { one: one.email, other: other.email })}</Text>
          <Button size="compact-xs" variant="default" data-testid="told-apart-undo" onClick={async () => {
            notifications.hide(id);
            await undoTellApart(one.id, other.id);
            refresh();
          }}>
            {t("duplicates.undo")}
          </Button>
        </Group>
      ),
    });
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <Anchor component={Link} to="/contacts" data-testid="duplicates-back" aria-label={t("duplicates.back")}>
            <IconArrowLeft size={18} />
          </Anchor>
          <Title order={2}>{t("duplicates.title")}</Title>
          {pairs.total !== undefined && (
            <Badge variant="light" size="lg" data-testid="duplicates-total">
              {t("duplicates.total", { count: pairs.total, formatted: formatNumber(pairs.total) })}
            </Badge>
          )}
        </Group>
      </Group>
      <Text size="sm" c="dimmed">{t("duplicates.intro")}</Text>
      <Paper withBorder p="xs">
        <DataTable
          testId="duplicates-table"
          rows={pairs.items}
          rowKey={(p) => `${p.contact.id}-${p.other.id}`}
          rowProps={(p) => ({ "data-testid": `duplicate-row-${p.contact.id}-${p.other.id}` })}
          loading={pairs.isLoading}
          error={pairs.error}
          pager={pairs.pager}
          empty={{ testId: "duplicates-empty", message: t("duplicates.empty") }}
          columns={[
            { key: "contact", header: t("duplicates.contact_a"), render: (p) => <Person contact={p.contact} /> },
            { key: "other", header: t("duplicates.contact_b"), render: (p) => <Person contact={p.other} /> },
            { key: "reasons", header: t("duplicates.reasons"), render: (p) => (
              <Group gap={4}>
                {p.reasons.map((r) => <Badge key={r} variant="light" data-testid={`duplicate-reason-${r}`}>{t(`duplicates.reason.${r}`)}</Badge>)}
              </Group>
            ) },
            ...(canWrite ? [{
              key: "review",
              header: "",
              align: "right" as const,
              render: (p: DuplicatePair) => (
                <Group gap="xs" justify="flex-end" wrap="nowrap">
                  <Button size="xs" variant="default" leftSection={<IconUsers size={14} />} onClick={() => void onTellApart(p)}
                    data-testid={`duplicate-distinct-${p.contact.id}-${p.other.id}`}>
                    {t("duplicates.distinct")}
                  </Button>
                  <Button size="xs" variant="light" leftSection={<IconGitMerge size={14} />} onClick={() => setReviewing(p)}
                    data-testid={`duplicate-review-${p.contact.id}-${p.other.id}`}>
                    {t("duplicates.review")}
                  </Button>
                </Group>
              ),
            }] : []),
          ]}
        />
      </Paper>
      {reviewing && <MergeReview pair={reviewing} onClose={() => setReviewing(null)} />}
    </Stack>
  );
}

function Person({ contact }: { contact: Contact }) {
  const { t } = useTranslation();
  return (
    <Stack gap={0}>
      <Anchor component={Link} to={`/contacts/${contact.id}`} size="sm">{displayName(contact, t("contacts.no_name"))}</Anchor>
      <Text size="xs" c="dimmed">{contact.email}</Text>
    </Stack>
  );
}

/** Side by side: which record survives (it keeps its id), a pick per field, what the merge does. */
function MergeReview({ pair, onClose }: { pair: DuplicatePair; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const [swapped, setSwapped] = useState(false);
  const survivor = swapped ? pair.other : pair.contact;
  const other = swapped ? pair.contact : pair.other;
  const [picks, setPicks] = useState<Record<string, Side>>({});
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const customNames = useMemo(
    () => [...new Set([...Object.keys(survivor.custom ?? {}), ...Object.keys(other.custom ?? {})])].sort(),
    [survivor, other],
  );
  const rows = useMemo(() => {
    const value = (contact: Contact, field: string): unknown =>
      field.startsWith("custom.") ? (contact.custom ?? {})[field.slice(7)] : contact[field as Field];
    return [...FIELDS, ...customNames.map((n) => `custom.${n}`)]
      .map((field) => ({ field, mine: value(survivor, field), theirs: value(other, field) }))
      .filter((row) => !isEmpty(row.field, row.mine) || !isEmpty(row.field, row.theirs));
  }, [survivor, other, customNames]);

  const defaultPick = (field: string, mine: unknown, theirs: unknown): Side =>
    isEmpty(field, mine) && !isEmpty(field, theirs) ? "other" : "survivor";
  const pickOf = (row: { field: string; mine: unknown; theirs: unknown }) => picks[row.field] ?? defaultPick(row.field, row.mine, row.theirs);

  function shown(field: string, value: unknown, contact: Contact): string {
    if (isEmpty(field, value) && field !== "lifecycle_stage") return "—";
    if (field === "account_id") return contact.account_name ?? String(value);
    if (field === "lifecycle_stage") return t(`stages.${String(value)}`);
    if (field === "country") return countryName(String(value), i18n.language);
    if (typeof value === "boolean") return value ? t("duplicates.yes") : t("duplicates.no");
    return String(value);
  }

  async function merge() {
    setSaving(true);
    setError(null);
    try {
      const fields: MergeChoices = Object.fromEntries(rows.map((row) => [row.field, pickOf(row)]));
      const done = await mergeContacts(survivor.id, other.id, fields);
      await queries.invalidateQueries({ queryKey: keys.all });
      await queries.invalidateQueries({ queryKey: keys.contact(survivor.id) });
      notifications.show({
        color: "green",
        message: t("duplicates.merged", { email: done.contact.email, count: done.moved.interactions ?? 0 }),
      });
      onClose();
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  }

  const unsubscribed = survivor.unsubscribed || other.unsubscribed;
  const label = (contact: Contact) => `${contact === pair.contact ? "A" : "B"} · #${contact.id}`;

  return (
    <Modal opened onClose={onClose} title={t("duplicates.review_title")} size="xl" data-testid="merge-review">
      <Stack>
        <Group justify="space-between">
          <Text size="sm">
            {t("duplicates.survivor_is", { name: displayName(survivor, survivor.email), id: survivor.id })}
          </Text>
          <Button variant="default" size="xs" leftSection={<IconArrowsExchange size={14} />} onClick={() => { setSwapped(!swapped); setPicks({}); }}
            data-testid="merge-swap">
            {t("duplicates.swap")}
          </Button>
        </Group>
        <Table striped withTableBorder data-testid="merge-fields">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("duplicates.field")}</Table.Th>
              <Table.Th>{t("duplicates.kept", { label: label(survivor) })}</Table.Th>
              <Table.Th>{t("duplicates.removed", { label: label(other) })}</Table.Th>
              <Table.Th>{t("duplicates.keep_value")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => {
              const name = row.field.startsWith("custom.") ? row.field.slice(7) : t(`fields.${row.field === "account_id" ? "company" : row.field}`);
              const same = JSON.stringify(row.mine ?? null) === JSON.stringify(row.theirs ?? null);
              return (
                <Table.Tr key={row.field} data-testid={`merge-field-${row.field}`}>
                  <Table.Td>{name}</Table.Td>
                  <Table.Td>{shown(row.field, row.mine, survivor)}</Table.Td>
                  <Table.Td>{shown(row.field, row.theirs, other)}</Table.Td>
                  <Table.Td>
                    {same ? (
                      <Text size="xs" c="dimmed">{t("duplicates.same")}</Text>
                    ) : (
                      <SegmentedControl
                        size="xs"
                        aria-label={t("duplicates.pick_for", { field: name })}
                        data={[
                          { value: "survivor", label: survivor === pair.contact ? "A" : "B" },
                          { value: "other", label: other === pair.contact ? "A" : "B" },
                        ]}
                        value={pickOf(row)}
                        onChange={(value) => setPicks({ ...picks, [row.field]: value as Side })}
                        data-testid={`merge-pick-${row.field}`}
                      />
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
        <Alert color="orange" title={t("duplicates.consequences_title")} data-testid="merge-consequences">
          <List size="sm" spacing={4}>
            <List.Item>{t("duplicates.consequence_history", { removed: label(other), kept: label(survivor) })}</List.Item>
            <List.Item>{t("duplicates.consequence_consent")}{unsubscribed ? ` ${t("duplicates.consequence_unsubscribed")}` : ""}</List.Item>
            <List.Item>{t("duplicates.consequence_journeys")}</List.Item>
            <List.Item>{t("duplicates.consequence_final", { removed: label(other) })}</List.Item>
          </List>
        </Alert>
        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-testid="merge-cancel">{t("common.cancel")}</Button>
          <Button color="red" leftSection={<IconGitMerge size={16} />} loading={saving} onClick={() => void merge()} data-testid="merge-confirm">
            {t("duplicates.merge")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
