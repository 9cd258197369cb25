import { ActionIcon, Anchor, Badge, Button, Card, Group, Image, Modal, SimpleGrid, Stack, Table, Text, TextInput, Tooltip } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconArchive, IconPlus, IconSend } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { ApiError, api, unwrap, type Template } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatRelative } from "../../components/format";

function TemplateCard({ template, selected, onSelect }: { template: Template | null; selected: boolean; onSelect: () => void }) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="xs" onClick={onSelect} style={{ cursor: "pointer", outline: selected ? "2px solid var(--mantine-color-indigo-6)" : undefined }}
      data-testid={`template-${template?.key ?? template?.id ?? "blank"}`}>
      <Card.Section h={150} style={{ overflow: "hidden", background: "#f4f5f7" }}>
        {template ? (
          <iframe title={template.name} srcDoc={template.html} style={{ width: 600, height: 700, border: 0, transform: "scale(0.42)", transformOrigin: "0 0", pointerEvents: "none" }} sandbox="" />
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
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const templates = useQuery({ queryKey: ["templates", "email"], queryFn: () => unwrap(api.GET("/api/templates", { params: { query: { kind: "email" } } })) });
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
      const body = { ...values, template_id: templateId, kind: "promotional" as const, language: (i18n.language === "fr" ? "fr" : "en") as "fr" | "en", preheader: "" };
      const email = await unwrap(api.POST("/api/emails", { body }));
      void queries.invalidateQueries({ queryKey: ["emails"] });
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
        <Text fw={600}>{t("emails.start_from")}</Text>
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
  const queries = useQueryClient();
  const [creating, setCreating] = useState(false);
  const emails = useQuery({ queryKey: ["emails"], queryFn: () => unwrap(api.GET("/api/emails")) });

  async function archive(id: number) {
    await unwrap(api.PATCH("/api/emails/{email_id}", { params: { path: { email_id: id } }, body: { archived: true } }));
    void queries.invalidateQueries({ queryKey: ["emails"] });
  }

  return (
    <Stack>
      {canWrite && (
        <Group justify="flex-end">
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="emails-new">{t("emails.new")}</Button>
        </Group>
      )}
      <ErrorAlert error={emails.error} />
      <Table highlightOnHover data-testid="emails-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("emails.name")}</Table.Th>
            <Table.Th>{t("emails.subject")}</Table.Th>
            <Table.Th>{t("emails.kind")}</Table.Th>
            <Table.Th>{t("emails.updated")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {emails.data?.map((email) => (
            <Table.Tr key={email.id} data-testid={`email-row-${email.id}`}>
              <Table.Td><Anchor component={Link} to={`/emails/${email.id}`}>{email.name}</Anchor></Table.Td>
              <Table.Td>{email.subject}</Table.Td>
              <Table.Td><Badge variant="light" color={email.kind === "promotional" ? "indigo" : "gray"}>{t(`emails.kinds.${email.kind}`)}</Badge></Table.Td>
              <Table.Td>{formatRelative(email.updated_at)}</Table.Td>
              <Table.Td>
                {canWrite && (
                  <Group gap={4} justify="flex-end">
                    <Tooltip label={t("campaigns.send_this")}>
                      <ActionIcon variant="subtle" component={Link} to={`/emails/campaigns/new?email=${email.id}`} aria-label={t("campaigns.send_this")} data-testid="email-send">
                        <IconSend size={16} />
                      </ActionIcon>
                    </Tooltip>
                    <Tooltip label={t("emails.archive")}>
                      <ActionIcon variant="subtle" color="gray" onClick={() => void archive(email.id)} aria-label={t("emails.archive")} data-testid="email-archive">
                        <IconArchive size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {emails.data?.length === 0 && <Text c="dimmed" ta="center">{t("emails.empty")}</Text>}
      <Modal opened={creating} onClose={() => setCreating(false)} title={t("emails.new")} size="xl">
        <NewEmail onClose={() => setCreating(false)} />
      </Modal>
    </Stack>
  );
}
