import { Alert, Anchor, Badge, Button, Group, Image, Loader, SegmentedControl, Select, Stack, Table, Tabs, Text, Textarea, TextInput, Title } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { IconArrowBackUp, IconArrowForwardUp } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { Suspense, lazy, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { uploadAsset } from "../../api/queries/assets";
import {
  keys, type LandingPage, type PagePatch, previewLink, publishPage, restoreVersion, unpublishPage, updatePage,
  useFormChoices, useImageChoices, usePage, usePageVersions,
} from "../../api/queries/landing";
import { confirmDanger } from "../../components/confirm";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { useAutosave } from "../../components/useAutosave";
import type { PageDesignerApi } from "./PageDesigner";
import { PageStatsTab } from "./PageStatsTab";

type Variant = LandingPage["variants"][number];
const VARIANT_KEYS = ["B", "C"] as const;

const PageDesigner = lazy(() => import("./PageDesigner"));
const TITLE_MAX = 60;
const DESCRIPTION_MAX = 160;

function Counter({ value, max }: { value: string; max: number }) {
  const { t } = useTranslation();
  return <Text size="xs" c={value.length > max ? "red.8" : "dimmed"}>{t("landing.seo.count", { count: value.length, max })}</Text>;
}

function Versions({ page, onRestored }: { page: LandingPage; onRestored: (page: LandingPage) => void }) {
  const { t } = useTranslation();
  const versions = usePageVersions(page.id, true);
  return (
    <Table data-testid="page-versions">
      <Table.Tbody>
        {(versions.data ?? []).map((v) => (
          <Table.Tr key={v.version}>
            <Table.Td>{t("landing.version_n", { version: v.version })} {v.published && <Badge color="green" variant="light">{t("landing.status_published")}</Badge>}</Table.Td>
            <Table.Td>{v.saved_by}</Table.Td>
            <Table.Td>{formatDateTime(v.saved_at)}</Table.Td>
            <Table.Td>
              {v.version !== page.version && (
                <Button size="compact-sm" variant="light" data-testid={`page-restore-${v.version}`}
                  onClick={async () => onRestored(await restoreVersion(page.id, v.version))}>{t("landing.restore")}</Button>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Editor({ initial }: { initial: LandingPage }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [page, setPage] = useState(initial);
  const [seo, setSeo] = useState({ seo_title: initial.seo_title, seo_description: initial.seo_description, social_image: initial.social_image });
  const [tab, setTab] = useState<string | null>("design");
  const [designKey, setDesignKey] = useState(0);
  const designer = useRef<PageDesignerApi | null>(null);
  // Which content the designer edits: the page itself (A) or one of its A/B variants.
  const [editing, setEditing] = useState("A");
  const [variants, setVariants] = useState<Variant[]>(initial.variants);
  const forms = useFormChoices();
  const images = useImageChoices();
  const saved = (next: LandingPage) => {
    setPage(next);
    queries.setQueryData(keys.page(next.id), next);
    void queries.invalidateQueries({ queryKey: keys.all });
    void queries.invalidateQueries({ queryKey: keys.versions(next.id) });
  };
  const { state, error, change, flush } = useAutosave<PagePatch, LandingPage>((patch) => updatePage(page.id, patch), saved);

  const publish = async () => {
    designer.current?.flush();
    await flush();
    modals.openConfirmModal({
      title: t("landing.publish_title"),
      children: <Text size="sm">{t("landing.publish_message", { url: page.url })}</Text>,
      labels: { confirm: t("landing.publish"), cancel: t("common.cancel") },
      confirmProps: { "data-testid": "page-publish-confirm" } as never,
      onConfirm: async () => {
        try {
          saved(await publishPage(page.id));
          notifications.show({ color: "green", message: t("landing.published_at", { url: page.url }) });
        } catch (e) {
          notifications.show({ color: "red", message: (e as Error).message });
        }
      },
    });
  };
  const preview = async () => {
    designer.current?.flush();
    await flush();
    const link = await previewLink(page.id);
    window.open(link.url, "_blank", "noopener");
  };

  const saveVariants = (next: Variant[]) => {
    setVariants(next);
    change({ variants: next.map((v) => ({ key: v.key as "B" | "C", name: v.name, design: v.design, html: v.html, css: v.css })) });
  };
  const addVariant = () => {
    designer.current?.flush();
    const key = VARIANT_KEYS.find((k) => !variants.some((v) => v.key === k));
    if (!key) return;
    saveVariants([...variants, { key, name: "", design: null, html: page.html, css: page.css }]);
    setEditing(key);
  };
  const removeVariant = (key: string) =>
    confirmDanger({
      title: t("landing.variants.remove_title", { key }),
      message: t("landing.variants.remove_message", { key }),
      confirm: t("landing.variants.remove"),
      testId: "page-variant-remove-confirm",
      onConfirm: () => {
        setEditing("A");
        saveVariants(variants.filter((v) => v.key !== key));
      },
    });
  const edited = variants.find((v) => v.key === editing);

  return (
    <Stack>
      <Group justify="space-between" wrap="nowrap">
        <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
          <Anchor component={Link} to="/pages">{t("common.back")}</Anchor>
          <TextInput aria-label={t("landing.name")} value={page.name} data-testid="page-editor-name"
            onChange={(e) => {
              const name = e.currentTarget.value;
              setPage({ ...page, name });
              if (name.trim()) change({ name });
            }} />
          <Badge color={page.status === "published" ? "green" : "gray"} variant="light" data-testid="page-status">
            {t(`landing.status_${page.status}`)}
          </Badge>
          <Text size="sm" c={state === "error" ? "red.8" : "dimmed"} data-testid="page-save-state">{t(`landing.save_state.${state}`)}</Text>
        </Group>
        <Group gap="xs" wrap="nowrap">
          <Button variant="default" aria-label={t("common.undo")} onClick={() => designer.current?.undo()} data-testid="page-undo"><IconArrowBackUp size={16} /></Button>
          <Button variant="default" aria-label={t("common.redo")} onClick={() => designer.current?.redo()} data-testid="page-redo"><IconArrowForwardUp size={16} /></Button>
          <Button variant="default" onClick={() => void preview()} data-testid="page-preview">{t("landing.preview")}</Button>
          {page.status === "published" && (
            <Button variant="default" data-testid="page-unpublish" onClick={async () => saved(await unpublishPage(page.id))}>{t("landing.unpublish")}</Button>
          )}
          <Button onClick={() => void publish()} data-testid="page-publish" disabled={page.status === "published" && !page.unpublished_changes}>
            {page.status === "published" ? t("landing.publish_changes") : t("landing.publish")}
          </Button>
        </Group>
      </Group>
      {error && <ErrorAlert error={error} testId="page-save-error" />}
      {page.status === "published" && (
        <Text size="sm">{t("landing.live_at")} <Anchor href={page.url} target="_blank" rel="noreferrer" data-testid="page-live-url">{page.url}</Anchor></Text>
      )}
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="design" data-testid="page-tab-design">{t("landing.tabs.design")}</Tabs.Tab>
          <Tabs.Tab value="seo" data-testid="page-tab-seo">{t("landing.tabs.seo")}</Tabs.Tab>
          <Tabs.Tab value="versions" data-testid="page-tab-versions">{t("landing.tabs.versions")}</Tabs.Tab>
          <Tabs.Tab value="stats" data-testid="page-tab-stats">{t("landing.tabs.stats")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="design" pt="sm">
          <Group gap="sm" mb="xs">
            <Text size="sm" id="page-variant-label">{t("landing.variants.editing")}</Text>
            <SegmentedControl aria-labelledby="page-variant-label" data-testid="page-variant" value={editing}
              onChange={(key) => {
                designer.current?.flush();
                setEditing(key);
              }}
              data={["A", ...variants.map((v) => v.key)].map((key) => ({ value: key, label: t("landing.stats.variant_n", { key }) }))} />
            {variants.length < VARIANT_KEYS.length && (
              <Button size="compact-sm" variant="light" onClick={addVariant} data-testid="page-variant-add">{t("landing.variants.add")}</Button>
            )}
            {edited && (
              <Button size="compact-sm" variant="subtle" color="red" onClick={() => removeVariant(edited.key)} data-testid="page-variant-remove">
                {t("landing.variants.remove")}
              </Button>
            )}
            {variants.length > 0 && <Text size="xs" c="dimmed">{t("landing.variants.hint")}</Text>}
          </Group>
          <Suspense fallback={<Loader />}>
            <PageDesigner key={`${designKey}-${editing}`} project={edited ? (edited.design ?? null) : (page.design ?? null)}
              html={edited ? edited.html : page.html} css={edited ? edited.css : page.css}
              language={page.language === "fr" ? "fr" : "en"} forms={forms.data ?? []}
              onChange={(c) => {
                if (!edited) return change({ design: c.project as Record<string, unknown>, html: c.html, css: c.css });
                saveVariants(variants.map((v) => (v.key === edited.key ? { ...v, design: c.project as Record<string, unknown>, html: c.html, css: c.css } : v)));
              }}
              uploadImage={async (file) => (await uploadAsset(file)).url}
              onReady={(api) => (designer.current = api)} />
          </Suspense>
        </Tabs.Panel>
        <Tabs.Panel value="seo" pt="sm">
          <Stack maw={640}>
            <div>
              <TextInput label={t("landing.seo.title")} description={t("landing.seo.title_hint")} value={seo.seo_title} data-testid="page-seo-title"
                error={!seo.seo_title.trim() ? t("landing.seo.title_required") : null}
                onChange={(e) => {
                  const seo_title = e.currentTarget.value;
                  setSeo({ ...seo, seo_title });
                  if (seo_title.trim()) change({ seo_title });
                }} />
              <Counter value={seo.seo_title} max={TITLE_MAX} />
            </div>
            <div>
              <Textarea label={t("landing.seo.description")} description={t("landing.seo.description_hint")} value={seo.seo_description} autosize minRows={2}
                data-testid="page-seo-description"
                onChange={(e) => {
                  const seo_description = e.currentTarget.value;
                  setSeo({ ...seo, seo_description });
                  change({ seo_description });
                }} />
              <Counter value={seo.seo_description} max={DESCRIPTION_MAX} />
            </div>
            <Select label={t("landing.seo.image")} description={t("landing.seo.image_hint")} data-testid="page-seo-image" clearable searchable
              placeholder={t("landing.seo.image_none")} nothingFoundMessage={t("landing.seo.image_empty")}
              data={[
                ...(images.data ?? []).map((a) => ({ value: a.url, label: a.filename })),
                ...(seo.social_image && !(images.data ?? []).some((a) => a.url === seo.social_image) ? [{ value: seo.social_image, label: seo.social_image }] : []),
              ]}
              value={seo.social_image || null}
              onChange={(value) => {
                const social_image = value ?? "";
                setSeo({ ...seo, social_image });
                change({ social_image });
              }} />
            {seo.social_image && <Image src={seo.social_image} alt={t("landing.seo.image_preview")} maw={320} radius="sm" />}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="versions" pt="sm">
          <Versions page={page} onRestored={(next) => {
            saved(next);
            setVariants(next.variants);
            setEditing("A");
            setDesignKey((k) => k + 1);
          }} />
        </Tabs.Panel>
        <Tabs.Panel value="stats" pt="sm">
          {page.status === "published" || page.published_version ? <PageStatsTab pageId={page.id} /> : <Alert>{t("landing.stats.not_published")}</Alert>}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

export function LandingEditorPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const page = usePage(id);
  if (page.error) return <ErrorAlert error={page.error} />;
  if (!page.data) return <Loader role="status" aria-label={t("common.loading")} />;
  return (
    <>
      <Title order={2} className="visually-hidden" style={{ position: "absolute", left: -9999 }}>{page.data.name}</Title>
      <Editor initial={page.data} />
    </>
  );
}
