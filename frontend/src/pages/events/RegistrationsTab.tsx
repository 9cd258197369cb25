import { ActionIcon, Badge, Button, Card, FileButton, Group, SegmentedControl, Stack, Text, TextInput, Title, Tooltip } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconFileImport, IconSearch, IconUserCheck, IconUserPlus, IconX } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiError } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { confirmDanger } from "../../components/confirm";
import { DataTable } from "../../components/DataTable";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime, formatNumber } from "../../components/format";
import { RegistrationStatusBadge } from "./EventStatusBadge";
import {
  cancelRegistration,
  checkIn,
  keys,
  importAttendance,
  registerContact,
  useEventStats,
  useRegistrations,
  type EventOut,
  type Registration,
  type RegistrationStatus,
} from "../../api/queries/events";

const FILTERS = ["all", "confirmed", "waitlisted", "cancelled"] as const;

function personOf(r: Registration): string {
  return [r.first_name, r.last_name].filter(Boolean).join(" ") || r.email || `#${r.contact_id}`;
}

/** Register someone by email from the back office (the contact is created or completed). */
function RegisterForm({ eventId }: { eventId: number }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [values, setValues] = useState({ email: "", first_name: "", last_name: "" });
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [sending, setSending] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSending(true);
    setError(null);
    try {
      const out = await registerContact(eventId, {
        email: values.email.trim(), first_name: values.first_name.trim() || null, last_name: values.last_name.trim() || null,
      });
      notifications.show({
        color: out.status === "confirmed" ? "green" : "orange",
        message: out.status === "waitlisted"
          ? t("events.registrations.added_waitlisted", { person: personOf(out), position: out.position ?? "?" })
          : t("events.registrations.added", { person: personOf(out) }),
      });
      setValues({ email: "", first_name: "", last_name: "" });
      void queries.invalidateQueries({ queryKey: keys.event(eventId) });
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setSending(false);
    }
  }

  const emailError = error instanceof ApiError && (error.field === "email" || error.field === null) ? error.message : undefined;
  return (
    <Card withBorder>
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="xs">
          <Title order={5}>{t("events.registrations.register_title")}</Title>
          <Group align="flex-start" grow>
            <TextInput label={t("fields.email")} type="email" required value={values.email} error={emailError}
              onChange={(e) => setValues({ ...values, email: e.currentTarget.value })} data-testid="registration-email" />
            <TextInput label={t("fields.first_name")} value={values.first_name}
              onChange={(e) => setValues({ ...values, first_name: e.currentTarget.value })} data-testid="registration-first-name" />
            <TextInput label={t("fields.last_name")} value={values.last_name}
              onChange={(e) => setValues({ ...values, last_name: e.currentTarget.value })} data-testid="registration-last-name" />
          </Group>
          {error && !emailError && <ErrorAlert error={error} testId="registration-add-error" />}
          <Group>
            <Button type="submit" loading={sending} leftSection={<IconUserPlus size={16} />} data-testid="registration-add">
              {t("events.registrations.register")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** The registrations and the check-in list: search, cancel, mark present. */
export function RegistrationsTab({ event }: { event: EventOut }) {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const queries = useQueryClient();
  const [filter, setFilter] = useState<(typeof FILTERS)[number]>("all");
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 300);
  const [busy, setBusy] = useState<number | null>(null);
  const [importing, setImporting] = useState(false);
  const status: RegistrationStatus | null = filter === "all" ? null : filter;
  // The page belongs to one search and filter: another one starts again from the first page; the
  // refresh reloads the page shown.
  const list = useRegistrations(event.id, status, q);
  const total = list.total ?? 0;
  const open = event.status === "draft" || event.status === "published";
  // Each filter says how many it holds, so that confirmed + waitlisted + cancelled visibly make all.
  const stats = useEventStats(event.id, 3_000).data; // as often as the list below
  const counts: Record<(typeof FILTERS)[number], number> | null = stats
    ? { all: stats.confirmed + stats.waitlisted + stats.cancelled, confirmed: stats.confirmed, waitlisted: stats.waitlisted, cancelled: stats.cancelled }
    : null;
  const filterLabel = (f: (typeof FILTERS)[number]) =>
    counts ? `${t(`events.registrations.filters.${f}`)} (${formatNumber(counts[f])})` : t(`events.registrations.filters.${f}`);

  function refresh() {
    void queries.invalidateQueries({ queryKey: keys.registrations(event.id) });
    void queries.invalidateQueries({ queryKey: keys.event(event.id) });
    void queries.invalidateQueries({ queryKey: keys.stats(event.id) });
  }

  async function markPresent(r: Registration) {
    setBusy(r.id);
    try {
      await checkIn(event.id, r.id);
      notifications.show({ color: "green", message: t("events.registrations.checked_in", { person: personOf(r) }) });
      refresh();
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    } finally {
      setBusy(null);
    }
  }

  function confirmCancel(r: Registration) {
    confirmDanger({
      title: t("events.registrations.cancel_title"),
      message: t("events.registrations.cancel_warning", { person: personOf(r) }),
      confirm: t("events.registrations.cancel"),
      keep: t("events.registrations.keep"),
      testId: "registration-cancel-confirm",
      onConfirm: async () => {
        await cancelRegistration(event.id, r.id);
        refresh();
      },
    });
  }

  async function importExport(file: File | null) {
    if (!file) return;
    setImporting(true);
    try {
      const out = await importAttendance(event.id, file);
      const others = out.not_confirmed.length + out.not_registered.length;
      notifications.show({
        color: others ? "orange" : "green", autoClose: others ? false : 6000,
        message: t("events.registrations.attendance_imported", {
          checked_in: out.checked_in, already: out.already_checked_in, not_confirmed: out.not_confirmed.length,
          not_registered: out.not_registered.length,
        }),
      });
      refresh();
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    } finally {
      setImporting(false);
    }
  }

  return (
    <Stack>
      {canWrite && open && <RegisterForm eventId={event.id} />}
      <Group justify="space-between">
        <Group>
          <TextInput leftSection={<IconSearch size={16} />} placeholder={t("events.registrations.search")} value={search}
            onChange={(e) => setSearch(e.currentTarget.value)} w={300} data-testid="registrations-search" />
          <SegmentedControl value={filter} onChange={(v) => setFilter(v as typeof filter)} data-testid="registrations-filter"
            data={FILTERS.map((f) => ({ value: f, label: <span data-testid={`registrations-filter-${f}`}>{filterLabel(f)}</span> }))} />
        </Group>
        <Group>
          {canWrite && event.status !== "cancelled" && (
            <FileButton onChange={(file) => void importExport(file)} accept=".csv,text/csv">
              {(props) => (
                <Button {...props} variant="default" leftSection={<IconFileImport size={16} />} loading={importing}
                  data-testid="attendance-import">
                  {t("events.registrations.import_attendance")}
                </Button>
              )}
            </FileButton>
          )}
          <Text size="sm" c="dimmed" data-testid="registrations-total">
            {t("events.registrations.total", { count: total, formatted: formatNumber(total) })}
          </Text>
        </Group>
      </Group>
      <DataTable
        testId="registrations-table"
        rows={list.items}
        rowKey={(r) => r.id}
        rowProps={(r) => ({ "data-testid": `registration-row-${r.id}`, "data-email": r.email ?? "" })}
        loading={list.isLoading}
        error={list.error}
        pager={list.pager}
        pagerTestId="registrations-pagination"
        empty={{ message: t("events.registrations.empty"), testId: "registrations-empty" }}
        columns={[
          { key: "person", header: t("events.registrations.person"), sortValue: personOf,
            render: (r) => <Link to={`/contacts/${r.contact_id}`} data-testid="registration-contact">{personOf(r)}</Link> },
          { key: "email", header: t("fields.email"), sortValue: (r) => r.email, render: (r) => r.email },
          { key: "status", header: t("events.registrations.status"), sortValue: (r) => r.status,
            render: (r) => <RegistrationStatusBadge status={r.status} position={r.position} testId="registration-status" /> },
          { key: "attendance", header: t("events.registrations.attendance"), sortValue: (r) => r.attendance, render: (r) => r.attendance && (
            <Badge variant="light" color={r.attendance === "attended" ? "teal" : "red"} data-testid="registration-attendance"
              data-attendance={r.attendance}>
              {t(`events.registrations.attendances.${r.attendance}`, { defaultValue: r.attendance })}
            </Badge>
          ) },
          { key: "registered_at", header: t("events.registrations.registered_at"), sortValue: (r) => r.created_at,
            render: (r) => formatDateTime(r.created_at) },
          ...(canWrite ? [{ key: "check_in", header: "", align: "right" as const, render: (r: Registration) =>
            r.status === "confirmed" && !r.attendance && event.status !== "cancelled" && (
              <Button size="compact-sm" variant="light" color="teal" leftSection={<IconUserCheck size={14} />}
                loading={busy === r.id} onClick={() => void markPresent(r)} data-testid="registration-check-in">
                {t("events.registrations.check_in")}
              </Button>
            ) }] : []),
          ...(canWrite ? [{ key: "cancel", header: "", align: "right" as const, render: (r: Registration) =>
            r.status !== "cancelled" && event.status !== "finished" && (
              <Tooltip label={t("events.registrations.cancel_person", { person: personOf(r) })}>
                <ActionIcon variant="subtle" color="red" aria-label={t("events.registrations.cancel_person", { person: personOf(r) })}
                  data-testid="registration-cancel" onClick={() => confirmCancel(r)}>
                  <IconX size={16} />
                </ActionIcon>
              </Tooltip>
            ) }] : []),
        ]}
      />
    </Stack>
  );
}
