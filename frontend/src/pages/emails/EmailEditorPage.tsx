import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Center,
  Collapse,
  Drawer,
  Group,
  Loader,
  Modal,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import {
  IconArrowBackUp, IconArrowForwardUp, IconArrowLeft, IconChevronDown, IconChevronUp, IconHistory, IconMailForward, IconSend, IconTemplate,
} from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { Suspense, lazy, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ApiError, type Email } from "../../api/client";
import {
  keys, previewEmail, restoreVersion, testSend, updateEmail, useEmail, useEmailPreview, useVersions, type EmailPatch,
} from "../../api/queries/emails";
import { libraryImages, uploadAsset } from "../../api/queries/assets";
import { createTemplate, keys as templateKeys } from "../../api/queries/templates";
import { useTopics } from "../../api/queries/topics";
import { useAuth } from "../../auth/AuthProvider";
import { ErrorAlert } from "../../components/ErrorAlert";
import { useAutosave } from "../../components/useAutosave";
import { formatDateTime, formatTime } from "../../components/format";
import type { SaveState as AutosaveState } from "../../components/useAutosave";
import { LANGUAGES } from "../../i18n";
import type { DesignerApi } from "../../email/Designer";
import { ContactPicker } from "./ContactPicker";

const Designer = lazy(() => import("../../email/Designer"));
const DEVICES = { desktop: 720, tablet: 600, mobile: 375 } as const;
type Design = Record<string, unknown>;
type Settings = Pick<Email, "subject" | "preheader" | "from_name" | "from_email" | "reply_to" | "kind" | "topic" | "language" | "name">;

export function EmailEditorPage() {
  const { t, i18n } = useTranslation();
  const { isAdmin, canWrite } = useAuth();
  const emailId = Number(useParams().id);
  const queries = useQueryClient();
  const email = useEmail(emailId);
  const topics = useTopics();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [tab, setTab] = useState<string | null>("design");
  const [code, setCode] = useState("");
  const [device, setDevice] = useState<keyof typeof DEVICES>("desktop");
  const [contactId, setContactId] = useState<number | null>(null);
  const [showVersions, setShowVersions] = useState(false);
  const [testing, setTesting] = useState(false);
  const [designer, setDesigner] = useState<DesignerApi | null>(null);
  const [showSettings, setShowSettings] = useState(false);
  const [savedAt, setSavedAt] = useState<string | Date | null>(null);
  useEffect(() => {
    if (email.data && !settings) {
      const { subject, preheader, from_name, from_email, reply_to, kind, topic, language, name } = email.data;
      setSettings({ subject, preheader, from_name, from_email, reply_to, kind, topic, language, name });
      setCode(email.data.mjml);
      setWarnings(email.data.warnings);
      setSavedAt(email.data.updated_at);
    }
  }, [email.data, settings]);

  const { state, error: saveError, setError: setSaveError, change, flush } = useAutosave(
    (body: EmailPatch) => updateEmail(emailId, body),
    (saved) => {
      setWarnings(saved.warnings);
      setSavedAt(new Date());
      queries.setQueryData(keys.email(emailId), saved);
      void queries.invalidateQueries({ queryKey: keys.versions(emailId) });
    },
    1200,
  );

  const preview = useEmailPreview(emailId, contactId, email.data?.version, settings?.subject, tab === "preview");
  const versions = useVersions(emailId, showVersions);

  function setSetting<K extends keyof Settings>(key: K, value: Settings[K]) {
    setSettings((s) => (s ? { ...s, [key]: value } : s));
    change({ [key]: value });
  }

  async function applyCode() {
    setSaveError(null);
    try {
      await previewEmail(emailId, { mjml: code });
    } catch (error) {
      setSaveError(error as ApiError);
      return;
    }
    designer?.setMjml(code);
    change({ mjml: code, design: (designer?.getProject() as Design | undefined) ?? null });
    await flush();
    notifications.show({ color: "green", message: t("emails.code_applied") });
  }

  async function restore(version: number) {
    const restored = await restoreVersion(emailId, version);
    queries.setQueryData(keys.email(emailId), restored);
    setCode(restored.mjml);
    designer?.setMjml(restored.mjml);
    setShowVersions(false);
    notifications.show({ color: "green", message: t("emails.restored", { version }) });
  }

  async function saveAsTemplate() {
    await flush();
    await createTemplate({ email_id: emailId, name: settings?.name ?? "", description: "", category: "" });
    void queries.invalidateQueries({ queryKey: templateKeys.all });
    notifications.show({ color: "green", message: t("emails.template_saved") });
  }

  if (email.isLoading || !settings) return <Center h={300}><Loader /></Center>;
  if (email.error) return <ErrorAlert error={email.error} />;
  const data = email.data!;
  const fieldError = (field: string) => (saveError?.field === field ? saveError.message : undefined);
  const tokens = [
    { label: t("fields.first_name"), value: '{{ contact.first_name | default("there") }}' },
    { label: t("fields.last_name"), value: "{{ contact.last_name }}" },
    { label: t("fields.company"), value: "{{ account.name }}" },
    { label: t("fields.city"), value: "{{ contact.city }}" },
    { label: t("emails.unsubscribe_link"), value: "{{ unsubscribe_url }}" },
  ];

  const senderFields = ["from_name", "from_email", "reply_to"];
  const settingsOpen = showSettings || senderFields.includes(saveError?.field ?? "");

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="center" wrap="nowrap">
        <Group gap="xs" wrap="nowrap" style={{ flex: 1 }}>
          <Tooltip label={t("emails.back")}>
            <ActionIcon component={Link} to="/emails" variant="subtle" aria-label={t("emails.back")} data-testid="editor-back"><IconArrowLeft size={18} /></ActionIcon>
          </Tooltip>
          <TextInput value={settings.name} onChange={(e) => setSetting("name", e.currentTarget.value)} variant="unstyled" size="xl"
            styles={{ input: { fontWeight: 700 } }} aria-label={t("emails.name")} data-testid="editor-name" miw={240} style={{ flex: 1 }} />
        </Group>
        <Group gap="xs" wrap="wrap" justify="flex-end">
          <SaveState state={state} savedAt={savedAt} onRetry={() => void flush()} />
          <Tooltip label={t("common.undo")}>
            <ActionIcon variant="default" onClick={() => designer?.undo()} disabled={!designer} aria-label={t("common.undo")} data-testid="editor-undo"><IconArrowBackUp size={16} /></ActionIcon>
          </Tooltip>
          <Tooltip label={t("common.redo")}>
            <ActionIcon variant="default" onClick={() => designer?.redo()} disabled={!designer} aria-label={t("common.redo")} data-testid="editor-redo"><IconArrowForwardUp size={16} /></ActionIcon>
          </Tooltip>
          <Button variant="default" leftSection={<IconHistory size={16} />} onClick={() => setShowVersions(true)} data-testid="editor-versions">{t("emails.versions")}</Button>
          {isAdmin && <Button variant="default" leftSection={<IconTemplate size={16} />} onClick={() => void saveAsTemplate()} data-testid="editor-save-template">{t("emails.save_as_template")}</Button>}
          {canWrite && (
            <Button leftSection={<IconSend size={16} />} component={Link} to={`/emails/campaigns/new?email=${emailId}`} onClick={() => void flush()} data-testid="editor-send">
              {t("emails.send_to_segment")}
            </Button>
          )}
        </Group>
      </Group>
      {saveError && !["subject", ...senderFields].includes(saveError.field ?? "") && (
        <Alert color="red" data-testid="editor-error">{saveError.message}</Alert>
      )}
      {warnings.length > 0 && (
        <Alert color="yellow" data-testid="editor-warnings">{warnings.map((w) => <div key={w}>{w}</div>)}</Alert>
      )}
      <Card withBorder padding="sm">
        <Group align="flex-start" wrap="nowrap">
          <SimpleGrid cols={{ base: 1, md: 2 }} style={{ flex: 1 }}>
            <TextInput label={t("emails.subject")} value={settings.subject} error={fieldError("subject")} data-testid="editor-subject"
              onChange={(e) => setSetting("subject", e.currentTarget.value)} />
            <TextInput label={t("emails.preheader")} placeholder={t("emails.preheader_hint")} value={settings.preheader} data-testid="editor-preheader"
              onChange={(e) => setSetting("preheader", e.currentTarget.value)} />
          </SimpleGrid>
          <Button variant="subtle" mt={24} rightSection={settingsOpen ? <IconChevronUp size={14} /> : <IconChevronDown size={14} />}
            onClick={() => setShowSettings((v) => !v)} aria-expanded={settingsOpen} data-testid="editor-settings-toggle">
            {t("emails.sender_and_settings")}
          </Button>
        </Group>
        <Collapse in={settingsOpen}>
          <SimpleGrid cols={{ base: 1, md: 3 }} mt="sm">
            <TextInput label={t("emails.from_name")} value={settings.from_name} error={fieldError("from_name")} data-testid="editor-from-name"
              onChange={(e) => setSetting("from_name", e.currentTarget.value)} />
            <TextInput label={t("emails.from_email")} value={settings.from_email} error={fieldError("from_email")} data-testid="editor-from-email"
              onChange={(e) => setSetting("from_email", e.currentTarget.value)} />
            <TextInput label={t("emails.reply_to")} value={settings.reply_to ?? ""} error={fieldError("reply_to")} data-testid="editor-reply-to"
              onChange={(e) => setSetting("reply_to", e.currentTarget.value || null)} />
            <Select label={t("emails.topic")} description={t("emails.topic_hint")} clearable value={settings.topic} data-testid="editor-topic"
              data={(topics.data ?? []).map((tp) => ({ value: tp.key, label: i18n.language === "fr" ? tp.name_fr : tp.name_en }))}
              onChange={(v) => setSetting("topic", v)} />
            <Select label={t("common.language")} value={settings.language} allowDeselect={false} data-testid="editor-language"
              data={LANGUAGES.map((l) => ({ value: l.value, label: l.label }))} onChange={(v) => v && setSetting("language", v as Settings["language"])} />
            <Stack gap={4}>
              <Text size="sm" fw={500}>{t("emails.kind")}</Text>
              <SegmentedControl value={settings.kind} data-testid="editor-kind" onChange={(v) => setSetting("kind", v as Settings["kind"])}
                data={[{ value: "promotional", label: t("emails.kinds.promotional") }, { value: "transactional", label: t("emails.kinds.transactional") }]} />
            </Stack>
          </SimpleGrid>
        </Collapse>
      </Card>
      <Tabs value={tab} onChange={setTab} keepMounted>
        {/* The test button sits beside the tabs, not among them: a tab list holds tabs only. */}
        <Group gap="xs" wrap="nowrap" align="flex-end" style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}>
          <Tabs.List style={{ flex: 1, borderBottom: 0 }}>
            <Tabs.Tab value="design" data-testid="editor-tab-design">{t("emails.design")}</Tabs.Tab>
            <Tabs.Tab value="code" data-testid="editor-tab-code" onClick={() => designer && setCode(designer.getMjml())}>{t("emails.code")}</Tabs.Tab>
            <Tabs.Tab value="preview" data-testid="editor-tab-preview" onClick={() => void flush()}>{t("emails.preview")}</Tabs.Tab>
          </Tabs.List>
          {canWrite && (
            // A test is a small check next to the preview, far from sending to a segment.
            <Tooltip label={t("emails.test_hint")}>
              <Button variant="subtle" size="compact-sm" ml="auto" mb={4} leftSection={<IconMailForward size={14} />} onClick={() => setTesting(true)}
                data-testid="editor-test-send">
                {t("emails.test_send")}
              </Button>
            </Tooltip>
          )}
        </Group>
        <Tabs.Panel value="design" pt="sm">
          {/* The whole designer fits the screen under the page's header: the email is in view at once. */}
          <div style={{ height: "calc(100dvh - 330px)", minHeight: 440 }}>
            <Suspense fallback={<Center h={400}><Loader data-testid="designer-loading" /></Center>}>
              <Designer
                project={data.design as object | null}
                mjml={data.mjml}
                language={i18n.language === "fr" ? "fr" : "en"}
                tokens={tokens}
                labels={{ token: t("emails.blocks.token"), conditional: t("emails.blocks.conditional"), event_card: t("emails.blocks.event_card"), footer: t("emails.blocks.footer") }}
                uploadImage={async (file) => (await uploadAsset(file)).url}
                listImages={libraryImages}
                onChange={({ project, mjml }) => change({ design: project as Design, mjml })}
                onReady={setDesigner}
              />
            </Suspense>
          </div>
        </Tabs.Panel>
        <Tabs.Panel value="code" pt="sm">
          <Stack>
            <Text size="sm" c="dimmed">{t("emails.code_hint")}</Text>
            <Textarea value={code} onChange={(e) => setCode(e.currentTarget.value)} autosize minRows={18} maxRows={40}
              styles={{ input: { fontFamily: "monospace", fontSize: 13 } }} aria-label={t("emails.code")} data-testid="editor-code" />
            <Group justify="flex-end">
              <Button onClick={() => void applyCode()} data-testid="editor-code-apply">{t("emails.code_apply")}</Button>
            </Group>
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="preview" pt="sm">
          <Stack>
            <Group justify="space-between">
              <SegmentedControl value={device} onChange={(v) => setDevice(v as keyof typeof DEVICES)} data-testid="preview-device"
                data={(Object.keys(DEVICES) as (keyof typeof DEVICES)[]).map((d) => ({ value: d, label: t(`emails.devices.${d}`) }))} />
              <ContactPicker value={contactId} onChange={setContactId} />
            </Group>
            <ErrorAlert error={preview.error} />
            {preview.data && (
              <Card withBorder w={DEVICES[device] + 2} mx="auto" p={0} data-testid="preview-frame-card">
                <Text size="sm" p="xs" fw={600} data-testid="preview-subject">{preview.data.subject}</Text>
                <iframe title={t("emails.preview")} srcDoc={preview.data.html} sandbox="" data-testid="preview-frame"
                  style={{ width: DEVICES[device], height: 700, border: 0, display: "block" }} />
              </Card>
            )}
          </Stack>
        </Tabs.Panel>
      </Tabs>
      <Drawer opened={showVersions} onClose={() => setShowVersions(false)} title={t("emails.versions")} position="right">
        <Stack>
          {versions.data?.map((v) => (
            <Group key={v.version} justify="space-between" data-testid={`version-${v.version}`}>
              <div>
                <Text fw={600}>{t("emails.version", { version: v.version })}</Text>
                <Text size="xs" c="dimmed">{formatDateTime(v.saved_at)} · {v.saved_by}</Text>
              </div>
              {v.version !== data.version && (
                <Button size="xs" variant="light" onClick={() => void restore(v.version)} data-testid={`version-${v.version}-restore`}>{t("emails.restore")}</Button>
              )}
            </Group>
          ))}
        </Stack>
      </Drawer>
      <TestSend opened={testing} onClose={() => setTesting(false)} emailId={emailId} beforeSend={flush} />
    </Stack>
  );
}

/** Whether the work is saved, and when: "Saved at 10:42", "Saving…", or "Not saved" with a retry. */
function SaveState({ state, savedAt, onRetry }: { state: AutosaveState; savedAt: string | Date | null; onRetry: () => void }) {
  const { t } = useTranslation();
  const color = { saved: "green", saving: "blue", pending: "yellow", error: "red" }[state];
  const text = state === "saved" && savedAt ? t("emails.save_state.saved_at", { time: formatTime(savedAt) }) : t(`emails.save_state.${state}`);
  return (
    <Group gap={4} data-testid="email-save-state" data-state={state} aria-live="polite">
      <Badge variant="light" color={color} data-testid="editor-save-state">{text}</Badge>
      {state === "error" && (
        <Button size="compact-xs" variant="light" color="red" onClick={onRetry} data-testid="email-save-retry">{t("emails.save_state.retry")}</Button>
      )}
    </Group>
  );
}

function TestSend({ opened, onClose, emailId, beforeSend }: { opened: boolean; onClose: () => void; emailId: number; beforeSend: () => Promise<void> }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const [to, setTo] = useState(me?.user?.email ?? "");
  const [contactId, setContactId] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function send() {
    setError(null);
    await beforeSend();
    try {
      await testSend(emailId, { to, contact_id: contactId });
      notifications.show({ color: "green", message: t("emails.test_sent", { to }) });
      onClose();
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <Modal opened={opened} onClose={onClose} title={t("emails.test_send")}>
      <Stack>
        <TextInput label={t("emails.test_to")} value={to} error={error} onChange={(e) => setTo(e.currentTarget.value)} data-testid="test-send-to" />
        <ContactPicker value={contactId} onChange={setContactId} label={t("emails.test_as")} />
        <Group justify="flex-end"><Button onClick={() => void send()} data-testid="test-send-confirm">{t("emails.send_test")}</Button></Group>
      </Stack>
    </Modal>
  );
}
