import { Anchor, Button, Group, Loader, Stack, Tabs, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowLeft, IconExternalLink, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { confirmDanger } from "../../components/confirm";
import { ErrorAlert } from "../../components/ErrorAlert";
import { useLeaveGuard } from "../../components/useLeaveGuard";
import { AgendaSection } from "./AgendaSection";
import type { SessionDraft } from "./agenda";
import { BudgetTab } from "./BudgetTab";
import { DashboardTab } from "./DashboardTab";
import { EventForm } from "./EventForm";
import { EventStatusBadge } from "./EventStatusBadge";
import { createEvent, deleteEvent, keys, updateEvent, useEvent, type EventOut, type EventPatch } from "../../api/queries/events";
import { useOrganization } from "../../api/queries/organization";
import { bodyOf, changesOf, draftOf, emptyDraft, problemsOf, type Draft } from "./model";
import { RegistrationsTab } from "./RegistrationsTab";
import { TeamTab } from "./TeamTab";

// The server names API fields; the form names its own.
const FORM_FIELD: Record<string, keyof Draft> = { "venue.name": "venue_name", "venue.address": "venue_address" };
const SESSION_FIELD = /^sessions\[(\d+)\]\.(title|starts_at|ends_at|speaker)$/;

/** One editor per event: opening another event starts from its saved state; a new one starts in
 * the organization's time zone. */
export function EventEditorPage() {
  const { id } = useParams();
  const organization = useOrganization();
  if (id === undefined && !organization.data) {
    return organization.error ? <ErrorAlert error={organization.error} /> : <Loader />;
  }
  return <EventEditor key={id ?? "new"} zone={organization.data?.timezone ?? "UTC"} zoneChosen={Boolean(organization.data?.updated_at)} />;
}

function EventEditor({ zone, zoneChosen }: { zone: string; zoneChosen: boolean }) {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const params = useParams();
  const eventId = params.id === undefined ? null : Number(params.id);
  const isNew = eventId === null;
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => emptyDraft(zone));
  const [saved, setSaved] = useState<Draft>(draft);
  const [attempted, setAttempted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<{ error: unknown; draft: string } | null>(null);
  const [tab, setTab] = useState<string | null>("details");
  const loaded = useRef(false);

  const event = useEvent(eventId);

  useEffect(() => {
    if (loaded.current || !event.data) return;
    loaded.current = true;
    setDraft(draftOf(event.data));
    setSaved(draftOf(event.data));
  }, [event.data]);

  const draftJson = JSON.stringify(draft);
  const dirty = draftJson !== JSON.stringify(saved);
  const { leaveWithoutAsking } = useLeaveGuard(dirty && canWrite, {
    title: t("events.leave_title"), warning: t("events.leave_warning"), leave: t("events.leave_confirm"), stay: t("events.leave_stay"),
  });
  const problems = problemsOf(draft);
  const currentError = saveError && saveError.draft === draftJson ? saveError.error : null;
  const apiError = currentError instanceof ApiError ? currentError : null;
  const apiField = apiError?.field ? FORM_FIELD[apiError.field] ?? apiError.field : null;
  const sessionAt = apiField ? SESSION_FIELD.exec(apiField) : null;
  const shownOnField = apiField !== null && (apiField in draft || (sessionAt !== null && Number(sessionAt[1]) < draft.sessions.length));

  // `field` is a Draft key or a session field named as the server names it ("sessions[1].ends_at").
  function errorOf(field: string): string | undefined {
    if (apiField === field) return apiError!.message;
    const problem = problems[field];
    // A missing name or type waits for the first save; dates and numbers are checked as they are typed.
    if (problem && (attempted || (field !== "name" && field !== "type"))) return t(problem);
    return undefined;
  }

  const update = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  // Functional, so that an undo offered a while ago applies to the agenda as it is now.
  const changeSessions = (next: (sessions: SessionDraft[]) => SessionDraft[]) => setDraft((d) => ({ ...d, sessions: next(d.sessions) }));

  function remember(out: EventOut) {
    const next = draftOf(out);
    queries.setQueryData(keys.event(out.id), out);
    void queries.invalidateQueries({ queryKey: keys.all });
    void queries.invalidateQueries({ queryKey: keys.stats(out.id) });
    setSaved(next);
    setDraft(next);
  }

  async function save(status?: "published" | "cancelled" | "draft") {
    setAttempted(true);
    if (Object.keys(problems).length) {
      setSaveError({ error: new Error(t("events.fix_problems")), draft: draftJson });
      return;
    }
    setSaving(true);
    setSaveError(null);
    try {
      let out: EventOut;
      if (isNew) {
        out = await createEvent(bodyOf(draft, status === "published" ? "published" : "draft"));
      } else {
        const patch: EventPatch = { ...changesOf(draft, saved), ...(status ? { status } : {}) };
        out = Object.keys(patch).length ? await updateEvent(eventId, patch) : event.data!;
      }
      remember(out);
      notifications.show({ color: "green", message: t(status ? `events.now_${status}` : "events.saved", { name: out.name }) });
      if (isNew) {
        loaded.current = true;
        leaveWithoutAsking();
        navigate(`/events/${out.id}`, { replace: true });
      }
    } catch (error) {
      setSaveError({ error, draft: draftJson });
    } finally {
      setSaving(false);
    }
  }

  function cancelEvent() {
    confirmDanger({
      title: t("events.cancel_event_title"),
      message: t("events.cancel_event_warning", { name: saved.name }),
      confirm: t("events.cancel_event"),
      testId: "event-cancel-confirm",
      onConfirm: () => save("cancelled"),
    });
  }

  function remove() {
    if (eventId === null) return;
    confirmDanger({
      title: t("events.delete_title"),
      message: t("events.delete_warning", { name: saved.name }),
      confirm: t("common.delete"),
      testId: "event-delete-confirm",
      onConfirm: async () => {
        await deleteEvent(eventId);
        void queries.invalidateQueries({ queryKey: keys.all });
        leaveWithoutAsking();
        navigate("/events");
      },
    });
  }

  if (!isNew && event.isLoading) return <Loader />;
  if (!isNew && event.error) return <ErrorAlert error={event.error} testId="event-load-error" />;
  const status = event.data?.status ?? "draft";
  const editable = canWrite && status !== "finished" && status !== "cancelled";

  return (
    <Stack>
      <Anchor component={Link} to="/events" size="sm" data-testid="event-back">
        <Group gap={4}>
          <IconArrowLeft size={14} />
          {t("events.back")}
        </Group>
      </Anchor>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{isNew ? t("events.new") : saved.name}</Title>
          {!isNew && <EventStatusBadge status={status} testId="event-status" />}
          <Text size="sm" c={dirty ? "orange" : "dimmed"} data-testid="event-save-state" data-dirty={dirty ? "yes" : "no"}>
            {dirty ? t("events.unsaved") : isNew ? "" : t("events.all_saved")}
          </Text>
        </Group>
        {canWrite && (
          <Group gap="xs">
            {!isNew && status !== "published" && (
              <Button variant="light" color="red" leftSection={<IconTrash size={16} />} onClick={remove} data-testid="event-delete">
                {t("common.delete")}
              </Button>
            )}
            {status === "published" && (
              <Button variant="light" color="red" onClick={cancelEvent} data-testid="event-cancel-event">
                {t("events.cancel_event")}
              </Button>
            )}
            {status === "draft" && (
              <Button variant="light" color="green" onClick={() => void save("published")} loading={saving} data-testid="event-publish">
                {t("events.publish")}
              </Button>
            )}
            <Button onClick={() => void save()} loading={saving} disabled={!isNew && (!dirty || !editable)} data-testid="event-save">
              {t("common.save")}
            </Button>
          </Group>
        )}
      </Group>
      {event.data && (
        <Group gap="xs">
          <Text size="sm" c="dimmed">{t("events.public_page")}</Text>
          <Anchor href={`/e/${event.data.slug}`} target="_blank" rel="noopener" size="sm" data-testid="event-public-link">
            <Group gap={4}>{`/e/${event.data.slug}`}<IconExternalLink size={14} /></Group>
          </Anchor>
          {status === "draft" && <Text size="xs" c="dimmed">{t("events.public_after_publish")}</Text>}
        </Group>
      )}
      {currentError != null && !shownOnField && <ErrorAlert error={currentError} testId="event-save-error" />}
      {shownOnField && <Text size="sm" c="red" data-testid="event-save-error">{t("events.fix_problems")}</Text>}
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="details" data-testid="event-tab-details">{t("events.tabs.details")}</Tabs.Tab>
          <Tabs.Tab value="registrations" disabled={isNew} data-testid="event-tab-registrations">{t("events.tabs.registrations")}</Tabs.Tab>
          <Tabs.Tab value="team" disabled={isNew} data-testid="event-tab-team">{t("events.tabs.team")}</Tabs.Tab>
          <Tabs.Tab value="budget" disabled={isNew} data-testid="event-tab-budget">{t("events.tabs.budget")}</Tabs.Tab>
          <Tabs.Tab value="dashboard" disabled={isNew} data-testid="event-tab-dashboard">{t("events.tabs.dashboard")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="details" pt="md">
          <EventForm draft={draft} update={update} errorOf={errorOf} disabled={!editable && !isNew}
            zoneHint={isNew ? t(zoneChosen ? "events.zone_from_organization" : "events.zone_not_chosen", { zone }) : undefined} agenda={
            <AgendaSection sessions={draft.sessions} change={changeSessions} eventId={eventId} eventStart={draft.starts_at}
              errorOf={errorOf} attempted={attempted} disabled={!editable && !isNew} />
          } />
        </Tabs.Panel>
        {event.data && (
          <>
            <Tabs.Panel value="registrations" pt="md"><RegistrationsTab event={event.data} /></Tabs.Panel>
            <Tabs.Panel value="team" pt="md"><TeamTab eventId={event.data.id} /></Tabs.Panel>
            <Tabs.Panel value="budget" pt="md"><BudgetTab eventId={event.data.id} /></Tabs.Panel>
            <Tabs.Panel value="dashboard" pt="md"><DashboardTab eventId={event.data.id} /></Tabs.Panel>
          </>
        )}
      </Tabs>
    </Stack>
  );
}
