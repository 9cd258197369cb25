// Where a published form lives and how to put it on a site: its own page, a script that draws it
// inside any page, and plain HTML that works without JavaScript. Each with a copy button.
import { Alert, Anchor, Button, Card, Code, CopyButton, Group, Stack, Text, Title } from "@mantine/core";
import { IconCheck, IconCopy, IconExternalLink } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { prefillLink, useFormSnippet, type Form } from "../../api/queries/forms";
import { useAuth } from "../../auth/AuthProvider";
import { formatDateTime } from "../../components/format";
import { ContactPicker } from "../emails/ContactPicker";

function absolute(url: string): string {
  return /^https?:\/\//.test(url) ? url : `${window.location.origin}${url}`;
}

export function shareTexts(form: Pick<Form, "url" | "slug">) {
  const url = absolute(form.url || `/f/${form.slug}`);
  return {
    url,
    // embed.js draws the form right where the script tag stands.
    script: `<script src="${url}/embed.js" async></script>`,
  };
}

/** A personal link for one known contact: the form opens with what we know of them, for 30 days. */
function PrefillCard({ formId }: { formId: number }) {
  const { t } = useTranslation();
  const [contactId, setContactId] = useState<number | null>(null);
  const [link, setLink] = useState<{ url: string; expires_at: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function make() {
    if (!contactId) return;
    setError(null);
    try {
      setLink(await prefillLink(formId, contactId));
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <Card withBorder data-testid="share-prefill">
      <Stack gap="xs">
        <Title order={5}>{t("forms.share.prefill")}</Title>
        <Text size="sm" c="dimmed">{t("forms.share.prefill_hint")}</Text>
        <Group align="flex-end">
          <ContactPicker value={contactId} onChange={(id) => { setContactId(id); setLink(null); }} label={t("forms.share.prefill_for")} />
          <Button variant="light" disabled={!contactId} onClick={() => void make()} data-testid="share-prefill-make">{t("forms.share.prefill_make")}</Button>
        </Group>
        {error && <Alert color="red" p="xs">{error}</Alert>}
        {link && (
          <Stack gap={4}>
            <Group gap="xs" wrap="nowrap">
              <Code style={{ wordBreak: "break-all", flex: 1 }} data-testid="share-prefill-url">{absolute(link.url)}</Code>
              <CopyButton value={absolute(link.url)}>
                {({ copied, copy }) => (
                  <Button size="xs" variant={copied ? "filled" : "light"} color={copied ? "green" : undefined} onClick={copy} data-testid="share-prefill-copy"
                    aria-label={t("forms.share.copy_named", { what: t("forms.share.prefill") })}>
                    {copied ? t("forms.share.copied") : t("forms.share.copy")}
                  </Button>
                )}
              </CopyButton>
            </Group>
            <Text size="xs" c="dimmed">{t("forms.share.prefill_expires", { date: formatDateTime(link.expires_at) })}</Text>
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

function Snippet({ title, hint, text, testId }: { title: string; hint: string; text: string; testId: string }) {
  const { t } = useTranslation();
  return (
    <Card withBorder data-testid={testId}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={5}>{title}</Title>
          <CopyButton value={text}>
            {({ copied, copy }) => (
              <Button size="xs" variant={copied ? "filled" : "light"} color={copied ? "green" : undefined} onClick={copy}
                leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />} data-testid={`${testId}-copy`}
                aria-label={t("forms.share.copy_named", { what: title })}>
                {copied ? t("forms.share.copied") : t("forms.share.copy")}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Text size="sm" c="dimmed">{hint}</Text>
        <Code block data-testid={`${testId}-text`} style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}>{text}</Code>
      </Stack>
    </Card>
  );
}

export function SharePanel({ form }: { form: Form }) {
  const { t, i18n } = useTranslation();
  const { canWrite } = useAuth();
  const language = form.settings.languages?.includes(i18n.language as "en" | "fr") ? (i18n.language as "en" | "fr") : "en";
  const html = useFormSnippet(form.id, language, form.status === "published" ? form.version : null).data?.html;
  if (form.status !== "published") {
    return <Alert color="gray" data-testid="share-unpublished">{t("forms.share.unpublished")}</Alert>;
  }
  const { url, script } = shareTexts(form);
  return (
    <Stack data-testid="share-panel">
      {form.changed_since_publish && <Alert color="yellow" data-testid="share-changed">{t("forms.share.changed")}</Alert>}
      <Card withBorder data-testid="share-url">
        <Stack gap="xs">
          <Group justify="space-between">
            <Title order={5}>{t("forms.share.hosted")}</Title>
            <CopyButton value={url}>
              {({ copied, copy }) => (
                <Button size="xs" variant={copied ? "filled" : "light"} color={copied ? "green" : undefined} onClick={copy}
                  leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />} data-testid="share-url-copy"
                  aria-label={t("forms.share.copy_named", { what: t("forms.share.hosted") })}>
                  {copied ? t("forms.share.copied") : t("forms.share.copy")}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Text size="sm" c="dimmed">{t("forms.share.hosted_hint")}</Text>
          <Anchor href={url} target="_blank" rel="noreferrer" data-testid="share-url-link">
            <Group gap={4} component="span">{url}<IconExternalLink size={14} /></Group>
          </Anchor>
        </Stack>
      </Card>
      <Snippet title={t("forms.share.script")} hint={t("forms.share.script_hint")} text={script} testId="share-script" />
      {html && <Snippet title={t("forms.share.html")} hint={t("forms.share.html_hint")} text={html} testId="share-html" />}
      {canWrite && <PrefillCard formId={form.id} />}
    </Stack>
  );
}
