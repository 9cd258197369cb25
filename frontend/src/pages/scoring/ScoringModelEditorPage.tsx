import {
  ActionIcon,
  Anchor,
  Button,
  Card,
  Grid,
  Group,
  Loader,
  NumberInput,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  Title,
  Tooltip,
} from "@mantine/core";
import { useDebouncedValue, useHotkeys } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconArrowBackUp, IconArrowForwardUp, IconArrowLeft, IconBolt, IconTrash, IconUserCheck } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError } from "../../api/client";
import { useAuth } from "../../auth/AuthProvider";
import { confirmDanger } from "../../components/confirm";
import { ErrorAlert } from "../../components/ErrorAlert";
import { useHistory } from "../../components/useHistory";
import { DistributionPreview } from "./DistributionPreview";
import { GradeBandsEditor } from "./GradeBandsEditor";
import { KINDS, draftOf, emptyDraft, newAttributeRule, newInteractionRule, problemsOf, slugOf, type Draft } from "./model";
import { RuleCard } from "./RuleCard";
import { RecomputeProgress, isRecomputing } from "./ScoringModelsPage";
import { createModel, deleteModel, keys, updateModel, useModel, useModelPreview, type ScoringModel, type ScoringRule } from "../../api/queries/scoring";
import { useLeaveGuard } from "../../components/useLeaveGuard";

// Problems that only matter once the marketer saves: the preview runs without them.
const ON_SAVE_ONLY = /^(name|key|rules\[\d+\]\.label)$/;

/** One editor per model: opening another model starts from its saved state. */
export function ScoringModelEditorPage() {
  const { id } = useParams();
  return <ModelEditor key={id ?? "new"} />;
}

function ModelEditor() {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const params = useParams();
  const isNew = params.id === undefined;
  const modelId = isNew ? null : Number(params.id);
  const navigate = useNavigate();
  const queries = useQueryClient();
  const history = useHistory<Draft>(emptyDraft());
  const { set, reset } = history;
  const [savedJson, setSavedJson] = useState(() => JSON.stringify(emptyDraft()));
  const [keyTouched, setKeyTouched] = useState(!isNew);
  const [attempted, setAttempted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<{ error: unknown; draft: string } | null>(null);
  const loaded = useRef(false);

  const model = useModel(modelId, isRecomputing);

  useEffect(() => {
    if (loaded.current || !model.data) return;
    loaded.current = true;
    const draft = draftOf(model.data);
    reset(draft);
    setSavedJson(JSON.stringify(draft));
  }, [model.data, reset]);

  const draft = history.value;
  const draftJson = JSON.stringify(draft);
  const dirty = draftJson !== savedJson;
  const { leaveWithoutAsking } = useLeaveGuard(dirty && canWrite, {
    title: t("scoring.leave_title"), warning: t("scoring.leave_warning"), leave: t("scoring.leave_confirm"), stay: t("scoring.leave_stay"),
  });
  useHotkeys([
    ["mod+Z", () => history.undo()],
    ["mod+shift+Z", () => history.redo()],
  ]);

  const problems = problemsOf(draft);
  const blocking = Object.keys(problems).filter((field) => !ON_SAVE_ONLY.test(field));
  const [debounced] = useDebouncedValue(draft, 500);
  const debouncedBlocked = Object.keys(problemsOf(debounced)).some((field) => !ON_SAVE_ONLY.test(field));
  const preview = useModelPreview(
    { ...debounced, key: debounced.key || "preview", name: debounced.name || "preview" },
    (isNew || loaded.current) && !debouncedBlocked,
  );
  const previewError = preview.error instanceof ApiError && !debouncedBlocked ? preview.error : null;
  const currentSaveError = saveError && saveError.draft === draftJson ? saveError.error : null;
  const saveApiError = currentSaveError instanceof ApiError ? currentSaveError : null;

  function errorOf(field: string): string | undefined {
    if (saveApiError?.field === field) return saveApiError.message;
    if (previewError?.field === field) return previewError.message;
    const problem = problems[field];
    if (problem && (attempted || !ON_SAVE_ONLY.test(field))) return t(problem);
    return undefined;
  }
  const shownElsewhere = (error: ApiError | null) =>
    error?.field != null && (/^(name|key|description|kind|threshold|grades|notify_email|notify_webhook)/.test(error.field) || /^rules\[\d+\]/.test(error.field));

  function update(change: Partial<Draft>) {
    set((d) => {
      const next = { ...d, ...change };
      if (!keyTouched && change.name !== undefined && isNew) next.key = slugOf(change.name);
      return next;
    });
  }
  const setRule = (index: number, rule: ScoringRule) => update({ rules: draft.rules.map((r, i) => (i === index ? rule : r)) });

  function removeRule(index: number) {
    const removed = draft.rules[index];
    set((d) => ({ ...d, rules: d.rules.filter((_, i) => i !== index) }));
    const id = notifications.show({
      message: (
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm">{t("scoring.rule_removed", { label: removed.label })}</Text>
          <Button size="compact-xs" variant="light" data-testid="scoring-rule-undo" onClick={() => {
            notifications.hide(id);
            set((d) => (d.rules.some((r) => r.id === removed.id) ? d : { ...d, rules: [...d.rules.slice(0, index), removed, ...d.rules.slice(index)] }));
          }}>
            {t("common.undo")}
          </Button>
        </Group>
      ),
    });
  }

  async function save() {
    setAttempted(true);
    if (Object.keys(problems).length) {
      setSaveError({ error: new Error(t("scoring.fix_problems")), draft: draftJson });
      return;
    }
    setSaving(true);
    setSaveError(null);
    try {
      const saved: ScoringModel = modelId !== null ? await updateModel(modelId, draft) : await createModel(draft);
      const next = draftOf(saved);
      queries.setQueryData(keys.model(saved.id), saved);
      void queries.invalidateQueries({ queryKey: keys.models });
      setSavedJson(JSON.stringify(next));
      reset(next);
      notifications.show({ color: "green", message: t("scoring.saved", { name: saved.name }) });
      if (isNew) {
        loaded.current = true;
        leaveWithoutAsking();
        navigate(`/scoring/${saved.id}`, { replace: true });
      }
    } catch (error) {
      setSaveError({ error, draft: draftJson });
    } finally {
      setSaving(false);
    }
  }

  function remove() {
    if (modelId === null) return;
    confirmDanger({
      title: t("scoring.delete_title"),
      message: t("scoring.delete_warning", { name: draft.name }),
      confirm: t("common.delete"),
      testId: "scoring-delete-confirm",
      onConfirm: async () => {
        await deleteModel(modelId);
        void queries.invalidateQueries({ queryKey: keys.models });
        leaveWithoutAsking();
        navigate("/scoring");
      },
    });
  }

  if (!isNew && model.isLoading) return <Loader />;
  if (!isNew && model.error) return <ErrorAlert error={model.error} testId="scoring-load-error" />;

  return (
    <Stack>
      <Anchor component={Link} to="/scoring" size="sm" data-testid="scoring-back">
        <Group gap={4}>
          <IconArrowLeft size={14} />
          {t("scoring.back")}
        </Group>
      </Anchor>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{isNew ? t("scoring.new") : model.data?.name}</Title>
          <Text size="sm" c={dirty ? "orange" : "dimmed"} data-testid="scoring-save-state" data-dirty={dirty ? "yes" : "no"}>
            {dirty ? t("scoring.unsaved") : isNew ? "" : t("scoring.all_saved")}
          </Text>
        </Group>
        {canWrite && (
          <Group gap="xs">
            <Tooltip label={t("common.undo")}>
              <ActionIcon variant="default" size="lg" disabled={!history.canUndo} onClick={history.undo} aria-label={t("common.undo")} data-testid="scoring-undo">
                <IconArrowBackUp size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label={t("common.redo")}>
              <ActionIcon variant="default" size="lg" disabled={!history.canRedo} onClick={history.redo} aria-label={t("common.redo")} data-testid="scoring-redo">
                <IconArrowForwardUp size={16} />
              </ActionIcon>
            </Tooltip>
            {!isNew && (
              <Button variant="light" color="red" leftSection={<IconTrash size={16} />} onClick={remove} data-testid="scoring-delete">
                {t("common.delete")}
              </Button>
            )}
            <Button onClick={() => void save()} loading={saving} disabled={!dirty && !isNew} data-testid="scoring-save">
              {t("common.save")}
            </Button>
          </Group>
        )}
      </Group>
      {model.data && <RecomputeProgress model={model.data} testId="scoring-recompute" />}
      {currentSaveError != null && !shownElsewhere(saveApiError) && <ErrorAlert error={currentSaveError} testId="scoring-save-error" />}
      {saveApiError && shownElsewhere(saveApiError) && (
        <Text size="sm" c="red" data-testid="scoring-save-error">{t("scoring.fix_problems")}</Text>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <fieldset disabled={!canWrite} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
            <Stack>
              <Card withBorder>
                <Stack gap="sm">
                  <Group grow align="flex-start">
                    <TextInput label={t("scoring.name")} required value={draft.name} error={errorOf("name")}
                      onChange={(e) => update({ name: e.currentTarget.value })} data-testid="scoring-name" />
                    <Select label={t("scoring.kind")} allowDeselect={false} value={draft.kind}
                      data={KINDS.map((k) => ({ value: k, label: t(`scoring.kinds.${k}`) }))} error={errorOf("kind")}
                      onChange={(v) => v && update({ kind: v as Draft["kind"] })} data-testid="scoring-kind" />
                  </Group>
                  <TextInput label={t("scoring.key")} description={t("scoring.key_hint", { key: draft.key || "…" })} value={draft.key}
                    disabled={!isNew} error={errorOf("key")} styles={{ input: { fontFamily: "monospace" } }}
                    onChange={(e) => { setKeyTouched(true); update({ key: e.currentTarget.value }); }} data-testid="scoring-key" />
                  <Textarea label={t("scoring.description")} autosize minRows={1} value={draft.description ?? ""} error={errorOf("description")}
                    onChange={(e) => update({ description: e.currentTarget.value })} data-testid="scoring-description" />
                </Stack>
              </Card>

              <Card withBorder>
                <Stack gap="sm">
                  <Title order={4}>{t("scoring.qualification")}</Title>
                  <NumberInput label={t("scoring.threshold")} description={t("scoring.threshold_hint")} w={260} min={0}
                    allowDecimal={false} allowNegative={false} value={draft.threshold} error={errorOf("threshold")}
                    leftSection={<IconUserCheck size={16} />}
                    onChange={(v) => update({ threshold: typeof v === "number" ? v : Number.NaN })} data-testid="scoring-threshold" />
                  <Text size="sm" fw={500}>{t("scoring.grades")}</Text>
                  <Text size="xs" c="dimmed">{t("scoring.grades_hint")}</Text>
                  <GradeBandsEditor grades={draft.grades} onChange={(grades) => update({ grades })} errorOf={errorOf} />
                  <Switch label={t("scoring.active")} description={t("scoring.active_hint")} checked={draft.active}
                    onChange={(e) => update({ active: e.currentTarget.checked })} data-testid="scoring-active" />
                  <Switch label={t("scoring.drives_stage")} description={t("scoring.drives_stage_hint")} checked={draft.drives_stage}
                    onChange={(e) => update({ drives_stage: e.currentTarget.checked })} data-testid="scoring-drives-stage" />
                  <Group grow align="flex-start">
                    <TextInput label={t("scoring.notify_email")} description={t("scoring.notify_email_hint")} type="email"
                      placeholder="sales@example.com" value={draft.notify_email ?? ""} error={errorOf("notify_email")}
                      onChange={(e) => update({ notify_email: e.currentTarget.value || null })} data-testid="scoring-notify-email" />
                    <TextInput label={t("scoring.notify_webhook")} description={t("scoring.notify_webhook_hint")}
                      placeholder="https://…" value={draft.notify_webhook ?? ""} error={errorOf("notify_webhook")}
                      onChange={(e) => update({ notify_webhook: e.currentTarget.value || null })} data-testid="scoring-notify-webhook" />
                  </Group>
                </Stack>
              </Card>

              <Card withBorder>
                <Stack gap="sm">
                  <Group justify="space-between">
                    <Title order={4}>{t("scoring.rules")}</Title>
                    <Text size="xs" c="dimmed">{t("scoring.rule_count", { count: draft.rules.length })}</Text>
                  </Group>
                  {errorOf("rules") && <Text size="xs" c="red">{errorOf("rules")}</Text>}
                  {draft.rules.map((rule, index) => (
                    <RuleCard key={rule.id} rule={rule} index={index} errorOf={errorOf}
                      onChange={(next) => setRule(index, next)} onRemove={() => removeRule(index)} />
                  ))}
                  {draft.rules.length === 0 && <Text size="sm" c="dimmed" data-testid="scoring-rules-empty">{t("scoring.no_rules")}</Text>}
                  {canWrite && (
                    <Group gap="xs">
                      <Button variant="light" size="xs" leftSection={<IconBolt size={14} />} data-testid="scoring-add-interaction"
                        onClick={() => update({ rules: [...draft.rules, newInteractionRule(draft.rules, t("scoring.new_interaction_rule"))] })}>
                        {t("scoring.add_interaction")}
                      </Button>
                      <Button variant="light" size="xs" color="grape" leftSection={<IconUserCheck size={14} />} data-testid="scoring-add-attribute"
                        onClick={() => update({ rules: [...draft.rules, newAttributeRule(draft.rules, t("scoring.new_attribute_rule"))] })}>
                        {t("scoring.add_attribute")}
                      </Button>
                    </Group>
                  )}
                </Stack>
              </Card>
            </Stack>
          </fieldset>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <div style={{ position: "sticky", top: 70 }}>
            <DistributionPreview distribution={preview.data} grades={draft.grades} loading={preview.isFetching}
              blocked={blocking.length > 0} error={previewError && !previewError.field?.startsWith("rules[") ? previewError.message : previewError ? t("scoring.preview_rule_error") : null} />
          </div>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
