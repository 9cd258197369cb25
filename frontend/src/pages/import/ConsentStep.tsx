// The wizard's consent step: on what basis the file's people may be contacted. The answer is kept as
// evidence in each imported contact's consent history; no answer leaves them at consent none.
import { Alert, Checkbox, Group, Radio, Stack, Text, TextInput } from "@mantine/core";
import { DateInput } from "@mantine/dates";
import { IconAlertTriangle, IconInfoCircle } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";

export type ConsentLevel = "none" | "transactional" | "marketing" | "profiling";
export type ConsentBasis = {
  level: ConsentLevel;
  email_opt_in: boolean;
  sms_opt_in: boolean;
  source: string;
  obtained_at: string;
};

const LEVELS = ["transactional", "marketing", "profiling"] as const;
const NOT_STATED = "not_stated";

export function emptyBasis(level: ConsentLevel): ConsentBasis {
  const marketing = level === "marketing" || level === "profiling";
  return { level, email_opt_in: marketing, sms_opt_in: false, source: "", obtained_at: "" };
}

/** What the basis still lacks before the import can start, or null. */
export function basisProblem(basis: ConsentBasis | null): "source" | "date" | null {
  if (!basis) return null;
  if (!basis.source.trim()) return "source";
  return basis.obtained_at ? null : "date";
}

export function ConsentStep({
  basis,
  onChange,
  error,
}: {
  basis: ConsentBasis | null;
  onChange: (basis: ConsentBasis | null) => void;
  error: { field: string; message: string } | null;
}) {
  const { t } = useTranslation();
  const fieldError = (field: string) => (error?.field === `options.consent.${field}` ? error.message : undefined);
  return (
    <Stack mt="md" maw={720}>
      <Radio.Group
        label={t("import.consent.question")}
        description={t("import.consent.question_hint")}
        value={basis?.level ?? NOT_STATED}
        onChange={(v) => onChange(v === NOT_STATED ? null : { ...emptyBasis(v as ConsentLevel), ...pick(basis), level: v as ConsentLevel })}
        error={fieldError("level")}
        data-testid="import-consent-level"
      >
        <Stack gap="sm" mt="xs">
          <Radio value={NOT_STATED} label={t("import.consent.not_stated")} description={t("import.consent.not_stated_hint")}
            data-testid="import-consent-level-not_stated" />
          {LEVELS.map((level) => (
            <Radio key={level} value={level} label={t(`consent.${level}`)} description={t(`import.consent.level_hint.${level}`)}
              data-testid={`import-consent-level-${level}`} />
          ))}
        </Stack>
      </Radio.Group>
      {basis ? (
        <Stack gap="sm">
          <Group>
            <Checkbox label={t("import.consent.email_opt_in")} checked={basis.email_opt_in}
              onChange={(e) => onChange({ ...basis, email_opt_in: e.currentTarget.checked })} data-testid="import-consent-email" />
            <Checkbox label={t("import.consent.sms_opt_in")} checked={basis.sms_opt_in}
              onChange={(e) => onChange({ ...basis, sms_opt_in: e.currentTarget.checked })} data-testid="import-consent-sms" />
          </Group>
          <Group grow align="flex-start">
            <TextInput required label={t("import.consent.source")} description={t("import.consent.source_hint")}
              placeholder={t("import.consent.source_placeholder")} maxLength={200} value={basis.source}
              onChange={(e) => onChange({ ...basis, source: e.currentTarget.value })} error={fieldError("source")}
              data-testid="import-consent-source" />
            <DateInput required label={t("import.consent.obtained_at")} description={t("import.consent.obtained_at_hint")}
              valueFormat="YYYY-MM-DD" placeholder={t("import.consent.date_placeholder")} maxDate={new Date()} value={basis.obtained_at || null}
              onChange={(v) => onChange({ ...basis, obtained_at: v ?? "" })} error={fieldError("obtained_at")}
              data-testid="import-consent-date" />
          </Group>
          <Alert color="blue" icon={<IconInfoCircle />} data-testid="import-consent-existing">
            <Text size="sm">{t("import.consent.existing_rule")}</Text>
          </Alert>
        </Stack>
      ) : (
        <Alert color="orange" icon={<IconAlertTriangle />} title={t("import.consent.warning_title")} data-testid="import-consent-warning">
          {t("import.consent.warning")}
        </Alert>
      )}
    </Stack>
  );
}

/** What the marketer already typed survives a change of level. */
function pick(basis: ConsentBasis | null): Partial<ConsentBasis> {
  return basis ? { source: basis.source, obtained_at: basis.obtained_at } : {};
}
