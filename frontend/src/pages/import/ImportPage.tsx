import { Alert, Anchor, Badge, Button, Group, Progress, Radio, Select, Stack, Stepper, Text, Title } from "@mantine/core";
import { Dropzone } from "@mantine/dropzone";
import { IconArrowLeft, IconFileSpreadsheet, IconUpload, IconX } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiError, api, multipart, unwrap, type ImportPreview } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { COUNTRY_CODES, countryName } from "../../components/vocabulary";
import { keys as contactKeys } from "../../api/queries/contacts";
import { useJob } from "../../api/queries/jobs";
import { useSegments } from "../../api/queries/segments";
import { basisProblem, ConsentStep, type ConsentBasis } from "./ConsentStep";
import { ColumnMapping, mappingProblem as problemOf } from "./ColumnMapping";
import { ImportReport } from "./ImportReport";

type Options = {
  merge_policy: "fill_empty" | "overwrite" | "skip";
  on_error: "valid_only" | "all_or_nothing";
  default_country: string;
  date_format: "auto" | "YYYY-MM-DD" | "DD/MM/YYYY" | "MM/DD/YYYY";
  segment_id: number | null;
};

// The wizard's steps; after the last one, the import runs and its report shows.
const STEPS = { file: 0, mapping: 1, options: 2, consent: 3, report: 4 } as const;
const MAX_SIZE_MB = 50;

export function ImportPage() {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const [step, setStep] = useState(0);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [mapping, setMapping] = useState<Record<string, string | null>>({});
  const [options, setOptions] = useState<Options>({ merge_policy: "fill_empty", on_error: "valid_only", default_country: "FR", date_format: "auto", segment_id: null });
  const [consent, setConsent] = useState<ConsentBasis | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);

  const segments = useSegments();
  const job = useJob(jobId, { every: 400 });
  const finished = job.data?.status === "done";
  useEffect(() => {
    if (finished) void queries.invalidateQueries({ queryKey: contactKeys.all });
  }, [finished, queries]);

  async function read(selected: File) {
    setError(null);
    setBusy(true);
    try {
      const result = await unwrap(api.POST("/api/contacts/import/preview", multipart({ file: selected })));
      setFile(selected);
      setPreview(result);
      setMapping(result.suggested_mapping);
      setStep(STEPS.mapping);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function start() {
    if (!file) return;
    setError(null);
    setBusy(true);
    try {
      const form = { file, mapping: JSON.stringify(mapping), options: JSON.stringify({ ...options, consent }) };
      const accepted = await unwrap(api.POST("/api/contacts/import", multipart(form)));
      setJobId(accepted.job_id);
      setStep(STEPS.report);
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.field === "mapping") setStep(STEPS.mapping);
      else if (e instanceof ApiError && e.field?.startsWith("options.") && !e.field.startsWith("options.consent")) setStep(STEPS.options);
    } finally {
      setBusy(false);
    }
  }

  const mappingProblem = problemOf(mapping, t);
  const running = job.data && !["done", "failed"].includes(job.data.status);
  const missing = basisProblem(consent);
  const consentError =
    error instanceof ApiError && error.field?.startsWith("options.consent") ? { field: error.field, message: error.message } : null;

  return (
    <Stack maw={1100}>
      <Anchor component={Link} to="/contacts" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} />
          {t("contacts.back")}
        </Group>
      </Anchor>
      <Title order={2}>{t("import.title")}</Title>
      <ErrorAlert error={error} testId="import-error" />
      <Stepper active={step} allowNextStepsSelect={false} onStepClick={(s) => !jobId && setStep(s)}>
        <Stepper.Step label={t("import.step_file")} data-testid="import-step-file">
          <Dropzone
            onDrop={(files) => void read(files[0])}
            onReject={() => setError(new Error(t("import.rejected_file", { mb: MAX_SIZE_MB })))}
            maxSize={MAX_SIZE_MB * 1024 * 1024}
            maxFiles={1}
            multiple={false}
            loading={busy}
            accept={{ "text/csv": [".csv"], "text/plain": [".txt", ".tsv"], "application/vnd.ms-excel": [".csv"] }}
            data-testid="import-dropzone"
            inputProps={{ "aria-label": t("import.drop") }}
            mt="md"
          >
            <Group justify="center" gap="xl" mih={160} style={{ pointerEvents: "none" }}>
              <Dropzone.Accept>
                <IconUpload size={48} stroke={1.5} />
              </Dropzone.Accept>
              <Dropzone.Reject>
                <IconX size={48} stroke={1.5} />
              </Dropzone.Reject>
              <Dropzone.Idle>
                <IconFileSpreadsheet size={48} stroke={1.5} />
              </Dropzone.Idle>
              <div>
                <Text size="lg">{t("import.drop")}</Text>
                <Text size="sm" c="dimmed">
                  {t("import.drop_hint", { mb: MAX_SIZE_MB })}
                </Text>
              </div>
            </Group>
          </Dropzone>
        </Stepper.Step>

        <Stepper.Step label={t("import.step_mapping")} data-testid="import-step-mapping">
          {preview && (
            <Stack mt="md">
              <Group gap="xs">
                <Badge variant="light" data-testid="import-file-name">{preview.filename}</Badge>
                <Badge variant="light" data-testid="import-row-count">{t("import.rows", { count: preview.rows })}</Badge>
                <Badge variant="outline">{preview.encoding}</Badge>
                <Badge variant="outline">{t("import.delimiter", { delimiter: preview.delimiter === "\t" ? "TAB" : preview.delimiter })}</Badge>
              </Group>
              <ColumnMapping preview={preview} mapping={mapping} onChange={setMapping} />
              {mappingProblem && (
                <Alert color="orange" data-testid="import-mapping-problem">
                  {mappingProblem}
                </Alert>
              )}
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setStep(STEPS.file)}>
                  {t("common.back")}
                </Button>
                <Button disabled={Boolean(mappingProblem)} onClick={() => setStep(STEPS.options)} data-testid="import-next">
                  {t("common.next")}
                </Button>
              </Group>
            </Stack>
          )}
        </Stepper.Step>

        <Stepper.Step label={t("import.step_options")} data-testid="import-step-options">
          <Stack mt="md" maw={640}>
            <Radio.Group
              label={t("import.merge_policy")}
              description={t("import.merge_policy_hint")}
              value={options.merge_policy}
              onChange={(v) => setOptions({ ...options, merge_policy: v as Options["merge_policy"] })}
              data-testid="import-merge-policy"
            >
              <Stack gap={6} mt="xs">
                {(["fill_empty", "overwrite", "skip"] as const).map((p) => (
                  <Radio key={p} value={p} label={t(`import.policy.${p}`)} data-testid={`import-policy-${p}`} />
                ))}
              </Stack>
            </Radio.Group>
            <Radio.Group
              label={t("import.on_error")}
              value={options.on_error}
              onChange={(v) => setOptions({ ...options, on_error: v as Options["on_error"] })}
            >
              <Stack gap={6} mt="xs">
                {(["valid_only", "all_or_nothing"] as const).map((p) => (
                  <Radio key={p} value={p} label={t(`import.errors.${p}`)} data-testid={`import-on-error-${p}`} />
                ))}
              </Stack>
            </Radio.Group>
            <Group grow>
              <Select
                label={t("import.default_country")}
                description={t("import.default_country_hint")}
                searchable
                data={COUNTRY_CODES.map((c) => ({ value: c, label: countryName(c, i18n.language) }))}
                value={options.default_country}
                allowDeselect={false}
                onChange={(v) => v && setOptions({ ...options, default_country: v })}
                data-testid="import-default-country"
              />
              <Select
                label={t("import.date_format")}
                description={t("import.date_format_hint")}
                data={["auto", "YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY"].map((f) => ({ value: f, label: f === "auto" ? t("import.date_auto") : f }))}
                value={options.date_format}
                allowDeselect={false}
                onChange={(v) => v && setOptions({ ...options, date_format: v as Options["date_format"] })}
              />
            </Group>
            <Select
              label={t("import.segment")}
              description={t("import.segment_hint")}
              clearable
              searchable
              data={(segments.data ?? []).filter((s) => s.kind === "static").map((s) => ({ value: String(s.id), label: s.name }))}
              value={options.segment_id ? String(options.segment_id) : null}
              onChange={(v) => setOptions({ ...options, segment_id: v ? Number(v) : null })}
              data-testid="import-segment"
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setStep(STEPS.mapping)}>
                {t("common.back")}
              </Button>
              <Button onClick={() => setStep(STEPS.consent)} data-testid="import-options-next">
                {t("common.next")}
              </Button>
            </Group>
          </Stack>
        </Stepper.Step>

        <Stepper.Step label={t("import.step_consent")} data-testid="import-step-consent">
          <ConsentStep basis={consent} onChange={setConsent} error={consentError} />
          <Group justify="flex-end" mt="md" maw={720}>
            {missing && (
              <Text size="sm" c="dimmed" data-testid="import-consent-missing">
                {t(`import.consent.missing_${missing}`)}
              </Text>
            )}
            <Button variant="default" onClick={() => setStep(STEPS.options)}>
              {t("common.back")}
            </Button>
            <Button onClick={() => void start()} loading={busy} disabled={Boolean(missing)} data-testid="import-start">
              {t("import.start", { count: preview?.rows ?? 0 })}
            </Button>
          </Group>
        </Stepper.Step>

        <Stepper.Completed>
          <Stack mt="md">
            {(running || !job.data) && (
              <Stack gap={4}>
                <Text size="sm" data-testid="import-progress-message">
                  {job.data?.status === "running"
                    ? t("import.running", { percent: Math.round((job.data.progress ?? 0) * 100) })
                    : t("import.queued")}
                </Text>
                <Progress value={(job.data?.progress ?? 0) * 100} animated size="lg" aria-label={t("common.progress")} data-testid="import-progress" />
              </Stack>
            )}
            {job.data && !running && <ImportReport job={job.data} />}
          </Stack>
        </Stepper.Completed>
      </Stepper>
    </Stack>
  );
}
