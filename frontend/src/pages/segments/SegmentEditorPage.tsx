import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Loader,
  MultiSelect,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from "@mantine/core";
import { useDebouncedValue, useHotkeys } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconArrowBackUp, IconArrowForwardUp, IconArrowLeft, IconUsers } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError, type Builder, type Segment } from "../../api/client";
import { parseRule, useRuleFields } from "../../api/queries/rules";
import { createSegment, keys, updateSegment, useSegment, useSegmentPreview, useSegments } from "../../api/queries/segments";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatNumber } from "../../components/format";
import { useHistory } from "../../components/useHistory";
import { ConditionBuilder, completeOnly } from "../../components/conditions/ConditionBuilder";
import { SegmentMembers } from "./SegmentMembers";

type Definition = { builder: Builder | null; rule: string; include: number[]; exclude: number[] };
const EMPTY: Definition = { builder: { match: "all", groups: [] }, rule: "", include: [], exclude: [] };

function draftKey(id: string) {
  return `parcours.segment-draft.${id}`;
}

export function SegmentEditorPage() {
  const { t } = useTranslation();
  const params = useParams();
  const isNew = params.id === undefined;
  const segmentId = isNew ? null : Number(params.id);
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [kind, setKind] = useState<"dynamic" | "static">("dynamic");
  const [tab, setTab] = useState<string | null>("definition");
  const history = useHistory<Definition>(EMPTY);
  const { set: setDefinition, reset: resetDefinition } = history;
  const [textOnly, setTextOnly] = useState(false);
  const [ruleDraft, setRuleDraft] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [nameError, setNameError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [draft, setDraft] = useState<Definition | null>(null);
  const loaded = useRef(false);

  const fields = useRuleFields();
  const segments = useSegments();
  const segment = useSegment(segmentId);

  // Load the saved segment once, then offer the unsaved draft left in this browser, if any.
  useEffect(() => {
    if (loaded.current || (!isNew && !segment.data)) return;
    loaded.current = true;
    const s = segment.data;
    const saved: Definition = s
      ? { builder: s.builder ?? (s.rule ? null : EMPTY.builder), rule: s.rule ?? "", include: s.include, exclude: s.exclude }
      : EMPTY;
    if (s) {
      setName(s.name);
      setDescription(s.description);
      setKind(s.kind as "dynamic" | "static");
      setTextOnly(!s.builder && Boolean(s.rule));
    }
    resetDefinition(saved);
    const stored = localStorage.getItem(draftKey(params.id ?? "new"));
    if (stored && stored !== JSON.stringify(saved)) setDraft(JSON.parse(stored) as Definition);
  }, [isNew, segment.data, resetDefinition, params.id]);

  useEffect(() => {
    if (loaded.current) localStorage.setItem(draftKey(params.id ?? "new"), JSON.stringify(history.value));
  }, [history.value, params.id]);

  useHotkeys([
    ["mod+Z", () => history.undo()],
    ["mod+shift+Z", () => history.redo()],
  ]);

  const current = history.value;
  const [debounced] = useDebouncedValue(current, 400);
  const preview = useSegmentPreview(
    textOnly || !debounced.builder
      ? { rule: debounced.rule || null, include: debounced.include, exclude: debounced.exclude }
      : { builder: completeOnly(debounced.builder), include: debounced.include, exclude: debounced.exclude },
    kind === "dynamic" && loaded.current,
  );
  // Text edited by hand: read it back into the builder when it has a builder's shape.
  const [debouncedRule] = useDebouncedValue(ruleDraft, 500);
  useEffect(() => {
    if (debouncedRule === null) return;
    let cancelled = false;
    // A text that does not parse stays text only.
    parseRule(debouncedRule).catch(() => null).then((parsed) => {
      if (cancelled) return;
      setRuleDraft(null);
      const builder = parsed?.builder ?? null;
      setTextOnly(builder === null);
      setDefinition((d) => ({ ...d, rule: debouncedRule, builder: builder ?? d.builder }));
    });
    return () => {
      cancelled = true;
    };
  }, [debouncedRule, setDefinition]);

  async function save() {
    if (!name.trim()) {
      setNameError(t("segments.name_required"));
      return;
    }
    if (kind === "dynamic" && !textOnly && current.builder && JSON.stringify(completeOnly(current.builder)) !== JSON.stringify(current.builder)) {
      setSaveError(new Error(t("segments.finish_conditions")));
      return;
    }
    setSaving(true);
    setSaveError(null);
    const body = {
      name: name.trim(),
      description,
      ...(kind === "dynamic"
        ? textOnly || !current.builder
          ? { rule: current.rule || null, builder: null, include: current.include, exclude: current.exclude }
          : { builder: current.builder, include: current.include, exclude: current.exclude }
        : {}),
    };
    try {
      const saved: Segment = segmentId
        ? await updateSegment(segmentId, body)
        : await createSegment({ ...body, kind });
      localStorage.removeItem(draftKey(params.id ?? "new"));
      void queries.invalidateQueries({ queryKey: keys.all });
      void queries.invalidateQueries({ queryKey: keys.segment(saved.id) });
      notifications.show({ color: "green", message: t("segments.saved", { name: saved.name }) });
      if (isNew) navigate(`/segments/${saved.id}`, { replace: true });
    } catch (error) {
      if (error instanceof ApiError && error.field === "name") setNameError(error.message);
      else setSaveError(error);
    } finally {
      setSaving(false);
    }
  }

  if (!isNew && segment.isLoading) return <Loader />;
  if (!isNew && segment.error) return <ErrorAlert error={segment.error} />;
  const others = (segments.data ?? []).filter((s) => s.id !== segmentId).map((s) => ({ value: String(s.id), label: s.name }));
  const previewError = preview.error instanceof ApiError ? preview.error : null;

  return (
    <Stack>
      <Anchor component={Link} to="/segments" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} />
          {t("segments.back")}
        </Group>
      </Anchor>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{isNew ? t("segments.new") : name}</Title>
          {!isNew && <Badge variant="light">{t(`segments.kinds.${kind}`)}</Badge>}
        </Group>
        <Button onClick={() => void save()} loading={saving} data-testid="segment-save">
          {t("common.save")}
        </Button>
      </Group>
      {draft && (
        <Alert color="blue" title={t("segments.draft_found")} data-testid="segment-draft">
          <Group gap="xs">
            <Button size="xs" onClick={() => { setDefinition(draft); setDraft(null); }} data-testid="segment-draft-restore">
              {t("segments.draft_restore")}
            </Button>
            <Button size="xs" variant="default" onClick={() => { localStorage.removeItem(draftKey(params.id ?? "new")); setDraft(null); }}>
              {t("segments.draft_discard")}
            </Button>
          </Group>
        </Alert>
      )}
      <ErrorAlert error={saveError} testId="segment-save-error" />
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="definition" data-testid="segment-tab-definition">{t("segments.definition")}</Tabs.Tab>
          {!isNew && (
            <Tabs.Tab value="members" data-testid="segment-tab-members" leftSection={<IconUsers size={14} />}>
              {t("segments.members")} ({formatNumber(segment.data?.member_count ?? 0)})
            </Tabs.Tab>
          )}
        </Tabs.List>
        <Tabs.Panel value="definition" pt="md">
          <Grid>
            <Grid.Col span={{ base: 12, lg: 8 }}>
              <Stack>
                <Group grow align="flex-start">
                  <TextInput label={t("segments.name")} required value={name} error={nameError} data-testid="segment-name"
                    onChange={(e) => { setName(e.currentTarget.value); setNameError(null); }} />
                  {isNew && (
                    <div>
                      <Text size="sm" fw={500} mb={4}>{t("segments.kind")}</Text>
                      <SegmentedControl value={kind} onChange={(v) => setKind(v as "dynamic" | "static")} data-testid="segment-kind"
                        data={[{ value: "dynamic", label: t("segments.kinds.dynamic") }, { value: "static", label: t("segments.kinds.static") }]} />
                    </div>
                  )}
                </Group>
                <TextInput label={t("segments.description")} value={description} onChange={(e) => setDescription(e.currentTarget.value)} data-testid="segment-description" />
                {kind === "static" ? (
                  <Text c="dimmed" size="sm">{t("segments.static_hint")}</Text>
                ) : (
                  <>
                    <Group justify="space-between">
                      <Title order={4}>{t("segments.who")}</Title>
                      <Group gap={4}>
                        <Tooltip label={t("common.undo")}>
                          <ActionIcon variant="default" disabled={!history.canUndo} onClick={history.undo} aria-label={t("common.undo")} data-testid="segment-undo">
                            <IconArrowBackUp size={16} />
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label={t("common.redo")}>
                          <ActionIcon variant="default" disabled={!history.canRedo} onClick={history.redo} aria-label={t("common.redo")} data-testid="segment-redo">
                            <IconArrowForwardUp size={16} />
                          </ActionIcon>
                        </Tooltip>
                      </Group>
                    </Group>
                    <Tabs defaultValue="builder" variant="outline" keepMounted>
                      <Tabs.List>
                        <Tabs.Tab value="builder" data-testid="segment-mode-builder">{t("segments.visual")}</Tabs.Tab>
                        <Tabs.Tab value="text" data-testid="segment-mode-text">{t("segments.advanced")}</Tabs.Tab>
                      </Tabs.List>
                      <Tabs.Panel value="builder" pt="sm">
                        {textOnly && (
                          <Alert color="yellow" mb="sm" data-testid="segment-text-only">
                            {t("segments.text_only")}
                          </Alert>
                        )}
                        {fields.data && (
                          <ConditionBuilder behaviour value={current.builder ?? EMPTY.builder!} fields={fields.data} pickers={{ segments: (segments.data ?? []).map((s) => ({ value: String(s.id), label: s.name })) }}
                            readOnly={textOnly}
                            onChange={(builder) => setDefinition((d) => ({ ...d, builder }))} />
                        )}
                      </Tabs.Panel>
                      <Tabs.Panel value="text" pt="sm">
                        <Textarea
                          autosize
                          minRows={3}
                          styles={{ input: { fontFamily: "monospace" } }}
                          label={t("segments.rule")}
                          description={t("segments.rule_hint")}
                          value={ruleDraft ?? (textOnly ? current.rule : (preview.data?.rule ?? current.rule))}
                          onChange={(e) => setRuleDraft(e.currentTarget.value)}
                          error={previewError?.field === "rule" ? `${previewError.message}${previewError.details.position != null ? ` (${t("segments.at_character", { position: Number(previewError.details.position) + 1 })})` : ""}` : undefined}
                          data-testid="segment-rule"
                        />
                      </Tabs.Panel>
                    </Tabs>
                    <Group grow align="flex-start">
                      <MultiSelect label={t("segments.include")} description={t("segments.include_hint")} searchable clearable data={others}
                        value={current.include.map(String)} onChange={(v) => setDefinition((d) => ({ ...d, include: v.map(Number) }))} data-testid="segment-include" />
                      <MultiSelect label={t("segments.exclude")} description={t("segments.exclude_hint")} searchable clearable data={others}
                        value={current.exclude.map(String)} onChange={(v) => setDefinition((d) => ({ ...d, exclude: v.map(Number) }))} data-testid="segment-exclude" />
                    </Group>
                  </>
                )}
              </Stack>
            </Grid.Col>
            {kind === "dynamic" && (
              <Grid.Col span={{ base: 12, lg: 4 }}>
                <Card withBorder pos="sticky" top={70} data-testid="segment-preview">
                  <Text size="sm" c="dimmed">{t("segments.matching_now")}</Text>
                  <Group gap="xs" align="baseline">
                    <Text fw={700} fz={36} data-testid="segment-count">
                      {preview.data ? formatNumber(preview.data.count) : "…"}
                    </Text>
                    <Text c="dimmed">{t("segments.contacts")}</Text>
                    {preview.isFetching && <Loader size="xs" />}
                  </Group>
                  {previewError && previewError.field !== "rule" && (
                    <Alert color="red" mt="xs" data-testid="segment-preview-error">{previewError.message}</Alert>
                  )}
                  {previewError?.field === "rule" && (
                    <Alert color="red" mt="xs" data-testid="segment-preview-error">{previewError.message}</Alert>
                  )}
                  <Paper mt="sm">
                    <Text size="xs" c="dimmed" mb={4}>{t("segments.sample")}</Text>
                    <Table data-testid="segment-sample">
                      <Table.Tbody>
                        {preview.data?.sample.map((c) => (
                          <Table.Tr key={c.id}>
                            <Table.Td>
                              <Anchor component={Link} to={`/contacts/${c.id}`} size="sm">
                                {[c.first_name, c.last_name].filter(Boolean).join(" ") || c.email}
                              </Anchor>
                            </Table.Td>
                            <Table.Td><Text size="xs" c="dimmed">{c.email}</Text></Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Paper>
                </Card>
              </Grid.Col>
            )}
          </Grid>
        </Tabs.Panel>
        {!isNew && segment.data && (
          <Tabs.Panel value="members" pt="md">
            <SegmentMembers segment={segment.data} />
          </Tabs.Panel>
        )}
      </Tabs>
    </Stack>
  );
}
