import { Anchor, Badge, Button, Card, Group, Modal, SegmentedControl, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { ApiError } from "../../api/client";
import { createPage, deletePage, keys, type LandingPageSummary, usePages, usePageTemplates } from "../../api/queries/landing";
import { DataTable } from "../../components/DataTable";
import { formatRelative } from "../../components/format";

const toSlug = (name: string) =>
  name.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80);

function NewPage({ onClose }: { onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [language, setLanguage] = useState<"en" | "fr">(i18n.language.startsWith("fr") ? "fr" : "en");
  const templates = usePageTemplates(language);
  const [template, setTemplate] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useForm({
    initialValues: { name: "", slug: "" },
    validate: {
      name: (v) => (v.trim() ? null : t("landing.name_required")),
      slug: (v) => (/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(v) ? null : t("landing.slug_rule")),
    },
  });
  const submit = form.onSubmit(async (values) => {
    setBusy(true);
    try {
      const page = await createPage({ name: values.name, slug: values.slug, language, template, seo_description: "", social_image: "" });
      await queries.invalidateQueries({ queryKey: keys.all });
      navigate(`/pages/${page.id}`);
    } catch (error) {
      if (error instanceof ApiError && error.field && error.field in values) form.setFieldError(error.field, error.message);
      else form.setFieldError("name", (error as Error).message);
    } finally {
      setBusy(false);
    }
  });
  return (
    <Modal opened onClose={onClose} title={t("landing.new")} size="xl">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Group grow align="flex-start">
            <TextInput label={t("landing.name")} required data-testid="page-name" {...form.getInputProps("name")}
              onChange={(e) => {
                const name = e.currentTarget.value;
                if (!form.isTouched("slug")) form.setFieldValue("slug", toSlug(name));
                form.setFieldValue("name", name);
              }} />
            <TextInput label={t("landing.slug")} description={t("landing.slug_hint", { slug: form.values.slug || "…" })} required
              data-testid="page-slug" {...form.getInputProps("slug")} />
          </Group>
          <SegmentedControl value={language} onChange={(v) => setLanguage(v as "en" | "fr")} aria-label={t("landing.language")}
            data-testid="page-language" data={[{ value: "en", label: "English" }, { value: "fr", label: "Français" }]} />
          <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
            {[null, ...(templates.data ?? [])].map((tpl) => (
              <Card key={tpl?.key ?? "blank"} withBorder padding="sm" component="button" type="button" onClick={() => setTemplate(tpl?.key ?? null)}
                aria-pressed={template === (tpl?.key ?? null)} data-testid={`page-template-${tpl?.key ?? "blank"}`}
                style={{ textAlign: "left", cursor: "pointer", outline: template === (tpl?.key ?? null) ? "2px solid var(--mantine-color-indigo-6)" : undefined }}>
                <Text fw={600} size="sm">{tpl ? tpl.name : t("landing.blank")}</Text>
                <Text size="xs" c="dimmed" lineClamp={3}>{tpl ? tpl.description : t("landing.blank_hint")}</Text>
                {tpl?.has_form && <Badge mt="xs" size="sm" variant="light">{t("landing.has_form")}</Badge>}
              </Card>
            ))}
          </SimpleGrid>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>{t("common.cancel")}</Button>
            <Button type="submit" loading={busy} data-testid="page-create">{t("common.create")}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function LandingPagesList() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [creating, setCreating] = useState(false);
  const pages = usePages();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("landing.title")}</Title>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="page-new">{t("landing.new")}</Button>
      </Group>
      <DataTable<LandingPageSummary>
        testId="pages-table"
        rows={pages.items}
        rowKey={(p) => p.id}
        loading={pages.isLoading}
        error={pages.error}
        pager={pages.pager}
        onRowClick={(p) => navigate(`/pages/${p.id}`)}
        empty={{ message: t("landing.empty"), testId: "pages-empty" }}
        columns={[
          { key: "name", header: t("landing.name"), render: (p) => <Text fw={500}>{p.name}</Text> },
          {
            key: "url", header: t("landing.address"),
            render: (p) => p.status === "published"
              ? <Anchor href={p.url} target="_blank" rel="noreferrer" onClick={(e) => e.stopPropagation()}>/p/{p.slug}</Anchor>
              : <Text size="sm" c="dimmed">/p/{p.slug}</Text>,
          },
          { key: "language", header: t("landing.language"), render: (p) => p.language.toUpperCase() },
          {
            key: "status", header: t("landing.status"),
            render: (p) => <Badge color={p.status === "published" ? "green" : "gray"} variant="light">{t(`landing.status_${p.status}`)}</Badge>,
          },
          { key: "updated", header: t("landing.updated"), render: (p) => formatRelative(p.updated_at) },
        ]}
        actions={[{
          key: "delete", label: t("common.delete"), icon: <IconTrash size={16} />, color: "red", testId: "page-delete",
          confirm: (p) => ({ title: t("landing.delete_title"), message: t("landing.delete_message", { name: p.name }), confirm: t("common.delete"), testId: "page-delete-confirm" }),
          onClick: async (p) => {
            await deletePage(p.id);
            await queries.invalidateQueries({ queryKey: keys.all });
          },
        }]}
      />
      {creating && <NewPage onClose={() => setCreating(false)} />}
    </Stack>
  );
}
