// The form designer: the fields and the selected field's settings beside a live preview, the
// form's settings, publishing (after a confirmation naming the address it goes live at), sharing,
// and its statistics. Every change is saved a moment later and can be undone.
import { ActionIcon, Alert, Badge, Button, Center, Grid, Group, Loader, Stack, Tabs, Text, TextInput, Tooltip } from "@mantine/core";
import { useHotkeys } from "@mantine/hooks";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { IconArrowBackUp, IconArrowForwardUp, IconArrowLeft, IconWorldUpload } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ApiError } from "../../api/client";
import { keys, publishForm, updateForm, useForm, type Form, type FormField, type FormPatch, type FormSettings } from "../../api/queries/forms";
import { useAuth } from "../../auth/AuthProvider";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatTime } from "../../components/format";
import { useAutosave, type SaveState } from "../../components/useAutosave";
import { useHistory } from "../../components/useHistory";
import { FieldList } from "./FieldList";
import { FieldPanel } from "./FieldPanel";
import { FormPreview } from "./FormPreview";
import { FormStatus } from "./FormsPage";
import { SettingsPanel } from "./SettingsPanel";
import { SharePanel, shareTexts } from "./SharePanel";
import { StatsTab } from "./StatsTab";
import { SubmissionsTab } from "./SubmissionsTab";
import { move, newField, renamedFor, withDefaults, type Draft, type Lang } from "./model";
import { fieldTexts } from "./templates";

const EMPTY: Draft = { name: "", fields: [], settings: {} as FormSettings };

function SaveBadge({ state, savedAt, onRetry }: { state: SaveState; savedAt: string | Date | null; onRetry: () => void }) {
  const { t } = useTranslation();
  const color = { saved: "green", saving: "blue", pending: "yellow", error: "red" }[state];
  const text = state === "saved" && savedAt ? t("emails.save_state.saved_at", { time: formatTime(savedAt) }) : t(`emails.save_state.${state}`);
  return (
    <Group gap={4} aria-live="polite" data-testid="form-save-state" data-state={state}>
      <Badge variant="light" color={color}>{text}</Badge>
      {state === "error" && (
        <Button size="compact-xs" variant="light" color="red" onClick={onRetry} data-testid="form-save-retry">{t("emails.save_state.retry")}</Button>
      )}
    </Group>
  );
}

/** Where a server error points: a field of the list (its index and the key inside it), or a setting. */
function locate(path: string | null | undefined): { index: number | null; key: string } {
  const match = /^fields\[(\d+)\]\.?(.*)$/.exec(path ?? "");
  return match ? { index: Number(match[1]), key: match[2] } : { index: null, key: path ?? "" };
}

export function FormEditorPage() {
  const { t, i18n } = useTranslation();
  const { canWrite } = useAuth();
  const formId = Number(useParams().id);
  const queries = useQueryClient();
  const form = useForm(formId);
  const history = useHistory<Draft>(EMPTY);
  const { reset } = history;
  const loaded = useRef(false);
  // The definition as loaded: showing it again is no change to save.
  const baseline = useRef<Draft | null>(null);
  const [selected, setSelected] = useState<number | null>(0);
  const [tab, setTab] = useState<string | null>("build");
  const [savedAt, setSavedAt] = useState<string | Date | null>(null);
  const [publishing, setPublishing] = useState(false);
  const readOnly = !canWrite;

  const { state, error, setError, change, flush } = useAutosave(
    (body: FormPatch) => updateForm(formId, body),
    (saved: Form) => {
      setSavedAt(new Date());
      queries.setQueryData(keys.form(formId), saved);
      void queries.invalidateQueries({ queryKey: keys.all });
    },
    800,
  );

  useEffect(() => {
    if (loaded.current || !form.data) return;
    loaded.current = true;
    baseline.current = { name: form.data.name, fields: form.data.fields, settings: form.data.settings };
    reset(baseline.current);
    setSavedAt(form.data.updated_at);
  }, [form.data, reset]);

  // Every change (an undo too) is saved: the whole definition, its default texts following the first language.
  const draft = history.value;
  useEffect(() => {
    if (!loaded.current || draft === EMPTY || draft === baseline.current) return;
    baseline.current = null; // undoing back to it later is a change to save
    const body = withDefaults(draft);
    change({ name: body.name, fields: body.fields, settings: body.settings });
  }, [draft, change]);

  // A refused save shows where: the field is selected, the settings opened.
  const where = locate(error?.field);
  useEffect(() => {
    if (!error?.field) return;
    if (where.index !== null) {
      setSelected(where.index);
      setTab("build");
    } else if (error.field.startsWith("settings")) setTab("settings");
  }, [error, where.index]);

  useHotkeys([
    ["mod+Z", () => history.undo()],
    ["mod+shift+Z", () => history.redo()],
  ]);

  if (form.isLoading) return <Center h={300}><Loader /></Center>;
  if (form.error || !form.data) return <ErrorAlert error={form.error} />;
  const saved = form.data;
  const languages = (draft.settings.languages?.length ? draft.settings.languages : ["en"]) as Lang[];
  const field = selected !== null ? draft.fields[selected] : undefined;

  const setFields = (next: (fields: FormField[]) => FormField[]) => history.set((d) => ({ ...d, fields: next(d.fields) }));
  const setSettings = (patch: Partial<FormSettings>) => history.set((d) => ({ ...d, settings: { ...d.settings, ...patch } }));
  const fieldError = (key: string) => (where.index === selected && (where.key === key || where.key.startsWith(`${key}.`) || where.key.startsWith(`${key}[`))
    ? error?.message : undefined);
  const settingError = (key: string) => (error?.field === key || error?.field?.startsWith(`${key}.`) || error?.field?.startsWith(`${key}[`)
    ? error.message : undefined);

  function publish() {
    const { url } = shareTexts(saved);
    modals.openConfirmModal({
      title: t("forms.publish.title"),
      children: (
        <Stack gap="xs">
          <Text size="sm">{t(saved.status === "published" ? "forms.publish.again" : "forms.publish.first", { url })}</Text>
          {draft.settings.double_opt_in && <Text size="sm">{t("forms.publish.double_opt_in")}</Text>}
        </Stack>
      ),
      labels: { confirm: t("forms.publish.confirm"), cancel: t("common.cancel") },
      confirmProps: { "data-testid": "form-publish-confirm" } as never,
      cancelProps: { "data-testid": "form-publish-cancel" } as never,
      onConfirm: async () => {
        setPublishing(true);
        try {
          await flush();
          const published = await publishForm(formId);
          queries.setQueryData(keys.form(formId), published);
          void queries.invalidateQueries({ queryKey: keys.all });
          notifications.show({ color: "green", message: t("forms.publish.done", { url }) });
          setTab("share");
        } catch (e) {
          // A form that cannot go live yet says which field to fix, where it is.
          if (e instanceof ApiError && e.field) setError(e);
          else notifications.show({ color: "red", message: (e as Error).message });
        } finally {
          setPublishing(false);
        }
      },
    });
  }

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs" wrap="nowrap" style={{ flex: 1, minWidth: 0 }}>
          <Tooltip label={t("forms.back")}>
            <ActionIcon component={Link} to="/forms" variant="subtle" aria-label={t("forms.back")} data-testid="form-back"><IconArrowLeft size={18} /></ActionIcon>
          </Tooltip>
          <TextInput value={draft.name} variant="unstyled" size="xl" styles={{ input: { fontWeight: 700 } }} style={{ flex: 1 }} miw={200}
            aria-label={t("forms.name")} readOnly={readOnly} error={settingError("name")} data-testid="form-name"
            onChange={(e) => { const name = e.currentTarget.value; history.set((d) => ({ ...d, name })); }} />
          <FormStatus form={saved} />
          {saved.changed_since_publish && saved.status === "published" && (
            <Badge variant="light" color="yellow" data-testid="form-changed">{t("forms.changed")}</Badge>
          )}
        </Group>
        <Group gap="xs" wrap="nowrap">
          <SaveBadge state={state} savedAt={savedAt} onRetry={() => void flush()} />
          {canWrite && (
            <>
              <Tooltip label={t("common.undo")}>
                <ActionIcon variant="default" disabled={!history.canUndo} onClick={history.undo} aria-label={t("common.undo")} data-testid="form-undo">
                  <IconArrowBackUp size={16} />
                </ActionIcon>
              </Tooltip>
              <Tooltip label={t("common.redo")}>
                <ActionIcon variant="default" disabled={!history.canRedo} onClick={history.redo} aria-label={t("common.redo")} data-testid="form-redo">
                  <IconArrowForwardUp size={16} />
                </ActionIcon>
              </Tooltip>
              <Button leftSection={<IconWorldUpload size={16} />} onClick={publish} loading={publishing} disabled={state === "error"} data-testid="form-publish">
                {t(saved.status === "published" ? "forms.publish.button_again" : "forms.publish.button")}
              </Button>
            </>
          )}
        </Group>
      </Group>
      {error && <Alert color="red" data-testid="form-error">{error.message}</Alert>}
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="build" data-testid="form-tab-build">{t("forms.tabs.build")}</Tabs.Tab>
          <Tabs.Tab value="settings" data-testid="form-tab-settings">{t("forms.tabs.settings")}</Tabs.Tab>
          <Tabs.Tab value="share" data-testid="form-tab-share">{t("forms.tabs.share")}</Tabs.Tab>
          <Tabs.Tab value="submissions" data-testid="form-tab-submissions">{t("forms.tabs.submissions")}</Tabs.Tab>
          <Tabs.Tab value="stats" data-testid="form-tab-stats">{t("forms.tabs.stats")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="build" pt="sm">
          <Grid>
            <Grid.Col span={{ base: 12, md: 3 }}>
              <FieldList fields={draft.fields} selected={selected} lang={languages.includes(i18n.language as Lang) ? (i18n.language as Lang) : languages[0]} readOnly={readOnly}
                errors={new Set(where.index !== null ? [where.index] : [])} onSelect={setSelected}
                onMove={(from, to) => { setFields((f) => move(f, from, to)); if (selected === from) setSelected(to); }}
                onRemove={(index) => { setFields((f) => f.filter((_, i) => i !== index)); setSelected(null); }}
                onAdd={(type) => { setFields((f) => [...f, newField(type, f, fieldTexts)]); setSelected(draft.fields.length); }} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 5 }}>
              {field ? (
                <FieldPanel field={field} readOnly={readOnly} languages={languages} consentVersion={draft.settings.consent_version ?? "1"} consentVersionError={settingError("settings.consent_version")}
                  errorFor={fieldError} onConsentVersion={(consent_version) => setSettings({ consent_version })}
                  onChange={(patch) => setFields((f) => f.map((x, i) => (i !== selected ? x
                    : { ...x, ...patch, ...("maps_to" in patch ? { name: renamedFor(x, patch.maps_to ?? null, f) } : {}) })))} />
              ) : (
                <Text c="dimmed" size="sm" data-testid="field-panel-empty">{t("forms.editor.pick_field")}</Text>
              )}
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 4 }}>
              <FormPreview fields={draft.fields} settings={withDefaults(draft).settings} name={draft.name} />
            </Grid.Col>
          </Grid>
        </Tabs.Panel>
        <Tabs.Panel value="settings" pt="sm">
          <Grid>
            <Grid.Col span={{ base: 12, md: 8 }}>
              <SettingsPanel settings={draft.settings} readOnly={readOnly} onChange={setSettings} errorFor={settingError} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 4 }}>
              <FormPreview fields={draft.fields} settings={withDefaults(draft).settings} name={draft.name} />
            </Grid.Col>
          </Grid>
        </Tabs.Panel>
        <Tabs.Panel value="share" pt="sm">
          <SharePanel form={saved} />
        </Tabs.Panel>
        <Tabs.Panel value="submissions" pt="sm">
          <SubmissionsTab formId={formId} />
        </Tabs.Panel>
        <Tabs.Panel value="stats" pt="sm">
          <StatsTab formId={formId} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
