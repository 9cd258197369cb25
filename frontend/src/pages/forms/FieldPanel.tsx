// The selected field's settings: its words in each language, where its answer is saved, whether it
// is required, its help and error texts, a pattern, its choices, a hidden field's source, and a
// consent's exact wording and version.
import { ActionIcon, Alert, Button, Card, Group, Select, SimpleGrid, Stack, Switch, Text, TextInput, Textarea, Title, Tooltip } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { useCustomFields } from "../../api/queries/fields";
import type { FormField } from "../../api/queries/forms";
import { useTopics } from "../../api/queries/topics";
import { CONTACT_FIELDS, HIDDEN_SOURCES, LANGS, WITH_CHOICES, WITH_PATTERN, freeName, setLang, type Lang } from "./model";
import { PatternInput } from "./PatternInput";

type Props = {
  field: FormField;
  readOnly: boolean;
  languages: Lang[];
  consentVersion: string;
  consentVersionError?: string;
  onChange: (patch: Partial<FormField>) => void;
  onConsentVersion: (version: string) => void;
  /** The server's message for a key of this field (`label`, `maps_to`, `options[1].value`…). */
  errorFor: (key: string) => string | undefined;
};

/** "Saves to": every place a contact keeps an answer, in words. */
function useTargets(type: FormField["type"]) {
  const { t, i18n } = useTranslation();
  const custom = useCustomFields();
  const topics = useTopics();
  const consents = [
    { value: "consent:email", label: t("forms.maps_to.consent_email") },
    { value: "consent:sms", label: t("forms.maps_to.consent_sms") },
    ...(topics.data ?? []).map((topic) => ({
      value: `topic:${topic.key}`, label: t("forms.maps_to.topic", { name: i18n.language === "fr" ? topic.name_fr : topic.name_en }),
    })),
  ];
  if (type === "consent") return [{ group: t("forms.maps_to.consents"), items: consents }];
  return [
    { group: t("forms.maps_to.none_group"), items: [{ value: "", label: t("forms.maps_to.none") }] },
    { group: t("forms.maps_to.contact"), items: CONTACT_FIELDS.map((f) => ({ value: f, label: t(`fields.${f}`) })) },
    ...(custom.data?.length
      ? [{ group: t("forms.maps_to.custom"), items: custom.data.map((f) => ({ value: `custom_${f.name}`, label: f.label || f.name })) }]
      : []),
  ];
}

function InLanguages({ label, values, languages, area, testId, error, disabled, onChange }: {
  label: string; values: Partial<Record<Lang, string>> | undefined; languages: Lang[]; area?: boolean; testId: string;
  error?: string; disabled: boolean; onChange: (values: Partial<Record<Lang, string>>) => void;
}) {
  const { t } = useTranslation();
  const Input = area ? Textarea : TextInput;
  return (
    <SimpleGrid cols={languages.length}>
      {languages.map((lang, n) => (
        <Input key={lang} label={t("forms.in_language", { label, language: t(`forms.languages.${lang}`) })} value={values?.[lang] ?? ""}
          autosize={area || undefined} minRows={area ? 2 : undefined} disabled={disabled} error={n === 0 ? error : undefined}
          onChange={(e) => onChange(setLang(values ?? {}, lang, e.currentTarget.value))} data-testid={`${testId}-${lang}`} />
      ))}
    </SimpleGrid>
  );
}

export function FieldPanel({ field, readOnly, languages, consentVersion, consentVersionError, onChange, onConsentVersion, errorFor }: Props) {
  const { t } = useTranslation();
  const targets = useTargets(field.type);
  const langs = languages.length ? languages : LANGS;
  const consent = field.type === "consent";
  const sourceIsUtm = (HIDDEN_SOURCES as readonly string[]).includes(field.source ?? "");
  const options = field.options ?? [];

  return (
    <Card withBorder data-testid="field-panel">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4}>{t(`forms.types.${field.type}`)}</Title>
          <Text size="xs" c="dimmed">{t("forms.field.name_is", { name: field.name })}</Text>
        </Group>
        {field.type !== "hidden" && (
          <InLanguages label={consent ? t("forms.field.wording") : t("forms.field.label")} values={field.labels} languages={langs}
            area={consent} testId={consent ? "field-wording" : "field-label"} error={errorFor("label") ?? errorFor("labels")}
            disabled={readOnly} onChange={(labels) => onChange({ labels })} />
        )}
        {consent && (
          <Alert color="blue" variant="light" p="xs">
            <Stack gap={6}>
              <Text size="sm">{t("forms.field.wording_hint")}</Text>
              <TextInput label={t("forms.field.consent_version")} description={t("forms.field.consent_version_hint")} w={260}
                value={consentVersion} error={consentVersionError} disabled={readOnly} onChange={(e) => onConsentVersion(e.currentTarget.value)} data-testid="field-consent-version" />
            </Stack>
          </Alert>
        )}
        <Select label={t("forms.field.maps_to")} description={t(consent ? "forms.field.maps_to_consent_hint" : "forms.field.maps_to_hint")}
          data={targets} value={field.maps_to ?? ""} allowDeselect={false} searchable disabled={readOnly} error={errorFor("maps_to")}
          onChange={(value) => onChange({ maps_to: value || null })} data-testid="field-maps-to" comboboxProps={{ withinPortal: true }} />
        {field.type === "hidden" ? (
          <SimpleGrid cols={2}>
            <Select label={t("forms.field.source")} description={t("forms.field.source_hint")} allowDeselect={false} disabled={readOnly}
              data={[...HIDDEN_SOURCES.map((s) => ({ value: s, label: t(`forms.sources.${s}`) })), { value: "query", label: t("forms.sources.query") }]}
              value={sourceIsUtm ? field.source : "query"} error={errorFor("source")} data-testid="field-source"
              onChange={(value) => onChange({ source: value === "query" ? null : value })} />
            {!sourceIsUtm && (
              <TextInput label={t("forms.field.query_key")} description={t("forms.field.query_key_hint")} value={field.source ?? ""}
                disabled={readOnly} onChange={(e) => onChange({ source: e.currentTarget.value || null })} data-testid="field-query-key" />
            )}
          </SimpleGrid>
        ) : (
          <>
            <Switch label={t(consent ? "forms.field.required_consent" : "forms.field.required")} checked={field.required ?? false} disabled={readOnly}
              onChange={(e) => onChange({ required: e.currentTarget.checked })} data-testid="field-required" />
            <InLanguages label={t("forms.field.help")} values={field.helps} languages={langs} testId="field-help" disabled={readOnly}
              error={errorFor("help")} onChange={(helps) => onChange({ helps })} />
            {!consent && (
              <InLanguages label={t("forms.field.message")} values={field.messages} languages={langs} testId="field-message"
                disabled={readOnly} error={errorFor("message")} onChange={(messages) => onChange({ messages })} />
            )}
            <Switch label={t("forms.field.progressive")} description={t("forms.field.progressive_hint")} checked={field.progressive ?? false}
              disabled={readOnly} onChange={(e) => onChange({ progressive: e.currentTarget.checked })} data-testid="field-progressive" />
          </>
        )}
        {WITH_CHOICES.includes(field.type) && (
          <Stack gap={6}>
            <Text size="sm" fw={500}>{t("forms.field.choices")}</Text>
            {errorFor("options") && <Text size="sm" c="red">{errorFor("options")}</Text>}
            {options.map((option, n) => (
              <Group key={n} gap="xs" align="flex-end" wrap="nowrap" data-testid={`field-choice-${n}`}>
                {langs.map((lang) => (
                  <TextInput key={lang} style={{ flex: 1 }} disabled={readOnly} value={option.labels?.[lang] ?? ""}
                    label={t("forms.field.choice_label", { n: n + 1, language: t(`forms.languages.${lang}`) })}
                    error={lang === langs[0] ? errorFor(`options[${n}].value`) : undefined} data-testid={`field-choice-${n}-${lang}`}
                    onChange={(e) => onChange({ options: options.map((o, i) => (i === n ? { ...o, labels: setLang(o.labels ?? {}, lang, e.currentTarget.value) } : o)) })} />
                ))}
                <Tooltip label={t("forms.field.remove_choice")}>
                  <ActionIcon variant="subtle" color="red" mb={4} disabled={readOnly || options.length <= 1}
                    aria-label={t("forms.field.remove_choice_n", { n: n + 1 })} data-testid={`field-choice-${n}-remove`}
                    onClick={() => onChange({ options: options.filter((_, i) => i !== n) })}><IconTrash size={16} /></ActionIcon>
                </Tooltip>
              </Group>
            ))}
            {!readOnly && (
              <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} style={{ alignSelf: "flex-start" }} data-testid="field-choice-add"
                onClick={() => {
                  const value = freeName(options.map((o) => ({ name: o.value })), `choice_${options.length + 1}`);
                  onChange({ options: [...options, { value, label: "", labels: {} }] });
                }}>
                {t("forms.field.add_choice")}
              </Button>
            )}
          </Stack>
        )}
        {WITH_PATTERN.includes(field.type) && !readOnly && (
          <PatternInput value={field.pattern ?? null} error={errorFor("pattern")} onChange={(pattern) => onChange({ pattern })} />
        )}
      </Stack>
    </Card>
  );
}
