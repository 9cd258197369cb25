import { Anchor, Badge, Button, Card, Group, Image, Modal, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconArchive, IconPlus, IconSend } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { ApiError, type Template } from "../../api/client";
import { createEmail, keys, updateEmail, useEmails } from "../../api/queries/emails";
import { useTemplates } from "../../api/queries/templates";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { TemplateLanguageFilter, useTemplateLanguage } from "../../components/TemplateLanguage";
import { formatRelative } from "../../components/format";

function TemplateCard({ template, selected, onSelect }: { template: Template | null; selected: boolean; onSelect: () => void }) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="xs" onClick={onSelect} style={{ cursor: "pointer", outline: selected ? "2px solid var(--mantine-color-indigo-6)" : undefined }}
      data-testid={`template-${template?.key ?? template?.id ?? "blank"}`}>
      <Card.Section h={150} style={{ overflow: "hidden", background: "#f4f5f7" }}>
        {template ? (
          <iframe title={template.name} srcDoc={template.preview_html} style={{ width: 600, height: 700, border: 0, transform: "scale(0.42)", transformOrigin: "0 0", pointerEvents: "none" }} sandbox="" />
        ) : (
          <Image h={150} alt="" src="/favicon.svg" fit="contain" p="xl" />
        )}
      </Card.Section>
      <Text fw={600} size="sm" mt="xs">{template ? template.name : t("emails.blank")}</Text>
      <Text size="xs" c="dimmed" lineClamp={2}>{template ? template.description : t("emails.blank_hint")}</Text>
    </Card>
  );
}

function NewEmail({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [language, setLanguage] = useTemplateLanguage();
  const templates = useTemplates("email", language);
  const [templateId, setTemplateId] = useState<number | null>(null);
  const form = useForm({
    initialValues: { name: "", subject: "", from_name: "", from_email: "" },
    validate: {
      name: (v) => (v.trim() ? null : t("emails.name_required")),
      subject: (v) => (v.trim() ? null : t("emails.subject_required")),
      from_name: (v) => (v.trim() ? null : t("emails.sender_required")),
      from_email: (v) => (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.trim()) ? null : t("contacts.form.email_invalid")),
    },
  });
  async function create(values: typeof form.values) {
    try {
      // The email's language: the template's, else the user's (the server decides).
      const body = { ...values, template_id: templateId, kind: "promotional" as const, preheader: "" };
      const email = await createEmail(body);
      void queries.invalidateQueries({ queryKey: keys.all });
      onClose();
      navigate(`/emails/${email.id}`);
    } catch (error) {
      if (error instanceof ApiError && error.field && error.field in values) form.setFieldError(error.field, error.message);
      else form.setFieldError("name", (error as Error).message);
    }
  }
  return (
    <form onSubmit={form.onSubmit(create)} noValidate>
      <Stack>
        <Group justify="space-between">
          <Text fw={600}>{t("emails.start_from")}</Text>
          <TemplateLanguageFilter value={language} onChange={(l) => { setLanguage(l); setTemplateId(null); }} testId="email-template-language" />
        </Group>
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <TemplateCard template={null} selected={templateId === null} onSelect={() => setTemplateId(null)} />
          {templates.data?.map((template) => (
            <TemplateCard key={template.id} template={template} selected={templateId === template.id}
              onSelect={() => { setTemplateId(template.id); if (!form.values.subject) form.setFieldValue("subject", template.subject); }} />
          ))}
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t("emails.name")} description={t("emails.name_hint")} data-testid="email-name" {...form.getInputProps("name")} />
          <TextInput label={t("emails.subject")} data-testid="email-subject" {...form.getInputProps("subject")} />
          <TextInput label={t("emails.from_name")} data-testid="email-from-name" {...form.getInputProps("from_name")} />
          <TextInput label={t("emails.from_email")} data-testid="email-from-email" {...form.getInputProps("from_email")} />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button type="submit" data-testid="email-create">{t("emails.create")}</Button>
        </Group>
      </Stack>
    </form>
  );
}

export function EmailList() {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [creating, setCreating] = useState(false);
  const emails = useEmails();

  async function archive(id: number) {
    await updateEmail(id, { archived: true });
    void queries.invalidateQueries({ queryKey: keys.all });
  }

  return (
    <Stack>
      {canWrite && (
        <Group justify="flex-end">
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="emails-new">{t("emails.new")}</Button>
        </Group>
      )}
      <DataTable
        testId="emails-table"
        rows={emails.data}
        rowKey={(email) => email.id}
        rowProps={(email) => ({ "data-testid": `email-row-${email.id}` })}
        loading={emails.isLoading}
        error={emails.error}
        empty={{
          message: t("emails.empty"),
          action: canWrite ? <Button variant="light" onClick={() => setCreating(true)}>{t("emails.new")}</Button> : undefined,
        }}
        columns={[
          { key: "name", header: t("emails.name"), sortValue: (e) => e.name,
            render: (e) => <Anchor component={Link} to={`/emails/${e.id}`}>{e.name}</Anchor> },
          { key: "subject", header: t("emails.subject"), sortValue: (e) => e.subject, render: (e) => e.subject },
          { key: "kind", header: t("emails.kind"), sortValue: (e) => e.kind, render: (e) => (
            <Badge variant="light" color={e.kind === "promotional" ? "indigo" : "gray"}>{t(`emails.kinds.${e.kind}`)}</Badge>
          ) },
          { key: "updated", header: t("emails.updated"), sortValue: (e) => e.updated_at, render: (e) => formatRelative(e.updated_at) },
        ]}
        actions={canWrite ? [
          { key: "send", label: t("campaigns.send_this"), icon: <IconSend size={16} />, testId: "email-send",
            onClick: (e) => navigate(`/emails/campaigns/new?email=${e.id}`) },
          { key: "archive", label: t("emails.archive"), icon: <IconArchive size={16} />, color: "gray", testId: "email-archive",
            onClick: (e) => archive(e.id) },
        ] : []}
      />
      <Modal opened={creating} onClose={() => setCreating(false)} title={t("emails.new")} size="xl">
        <NewEmail onClose={() => setCreating(false)} />
      </Modal>
    </Stack>
  );
}
