// Where a published form lives and how to put it on a site: its own page, a script that draws it
// inside any page, and plain HTML that works without JavaScript. Each with a copy button.
import { Alert, Anchor, Button, Card, Code, CopyButton, Group, Stack, Text, Title } from "@mantine/core";
import { IconCheck, IconCopy, IconExternalLink } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { Form } from "../../api/queries/forms";

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

export function SharePanel({ form, html }: { form: Form; html: string | null }) {
  const { t } = useTranslation();
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
    </Stack>
  );
}
