// The form's settings, each explained in a sentence: what the visitor sees after sending, double
// opt-in, the languages, the sites that may embed it, posts without JavaScript, the minimum time to
// fill it, progressive profiling.
import { Card, Checkbox, NumberInput, Radio, SegmentedControl, SimpleGrid, Stack, Switch, TagsInput, Text, TextInput, Textarea, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { FormSettings } from "../../api/queries/forms";
import { LANGS, setLang, type Lang } from "./model";

type Props = {
  settings: FormSettings;
  readOnly: boolean;
  onChange: (patch: Partial<FormSettings>) => void;
  errorFor: (key: string) => string | undefined;
};

export function SettingsPanel({ settings, readOnly, onChange, errorFor }: Props) {
  const { t } = useTranslation();
  const languages = (settings.languages ?? ["en"]) as Lang[];
  const redirect = settings.redirect_url !== null && settings.redirect_url !== undefined;
  return (
    <Stack data-testid="form-settings">
      <Card withBorder>
        <Stack gap="sm">
          <Title order={4}>{t("forms.settings.after")}</Title>
          <SegmentedControl value={redirect ? "redirect" : "message"} disabled={readOnly} data-testid="settings-after"
            onChange={(v) => onChange({ redirect_url: v === "redirect" ? "https://" : null })}
            data={[{ value: "message", label: t("forms.settings.show_message") }, { value: "redirect", label: t("forms.settings.go_to_page") }]} />
          {redirect ? (
            <TextInput label={t("forms.settings.redirect_url")} description={t("forms.settings.redirect_hint")} value={settings.redirect_url ?? ""}
              disabled={readOnly} error={errorFor("settings.redirect_url")} data-testid="settings-redirect"
              onChange={(e) => onChange({ redirect_url: e.currentTarget.value })} />
          ) : (
            <SimpleGrid cols={languages.length}>
              {languages.map((lang) => (
                <Textarea key={lang} autosize minRows={2} disabled={readOnly} data-testid={`settings-thank-you-${lang}`}
                  label={t("forms.in_language", { label: t("forms.settings.thank_you"), language: t(`forms.languages.${lang}`) })}
                  value={settings.thank_you_labels?.[lang] ?? ""} error={lang === languages[0] ? errorFor("settings.thank_you") : undefined}
                  onChange={(e) => onChange({ thank_you_labels: setLang(settings.thank_you_labels ?? {}, lang, e.currentTarget.value) })} />
              ))}
            </SimpleGrid>
          )}
          <SimpleGrid cols={languages.length}>
            {languages.map((lang) => (
              <TextInput key={lang} disabled={readOnly} data-testid={`settings-submit-${lang}`} value={settings.submit_labels?.[lang] ?? ""}
                label={t("forms.in_language", { label: t("forms.settings.submit"), language: t(`forms.languages.${lang}`) })}
                onChange={(e) => onChange({ submit_labels: setLang(settings.submit_labels ?? {}, lang, e.currentTarget.value) })} />
            ))}
          </SimpleGrid>
        </Stack>
      </Card>
      <Card withBorder>
        <Stack gap="sm">
          <Title order={4}>{t("forms.settings.languages")}</Title>
          <Text size="sm" c="dimmed">{t("forms.settings.languages_hint")}</Text>
          <SegmentedControl value={languages[0]} disabled={readOnly} data-testid="settings-default-language"
            aria-label={t("forms.settings.default_language")}
            data={LANGS.map((l) => ({ value: l, label: t(`forms.language_names.${l}`) }))}
            onChange={(v) => onChange({ languages: [v as Lang, ...languages.filter((l) => l !== v)] })} />
          <Checkbox label={t("forms.settings.both_languages")} checked={languages.length === 2} disabled={readOnly} data-testid="settings-both-languages"
            onChange={(e) => onChange({ languages: e.currentTarget.checked ? [languages[0], ...LANGS.filter((l) => l !== languages[0])] : [languages[0]] })} />
        </Stack>
      </Card>
      <Card withBorder>
        <Stack gap="sm">
          <Title order={4}>{t("forms.settings.consent")}</Title>
          <Switch label={t("forms.settings.double_opt_in")} description={t("forms.settings.double_opt_in_hint")} checked={settings.double_opt_in}
            disabled={readOnly} onChange={(e) => onChange({ double_opt_in: e.currentTarget.checked })} data-testid="settings-double-opt-in" />
          <Switch label={t("forms.settings.progressive")} description={t("forms.settings.progressive_hint")} checked={settings.progressive_profiling ?? false}
            disabled={readOnly} onChange={(e) => onChange({ progressive_profiling: e.currentTarget.checked })} data-testid="settings-progressive" />
        </Stack>
      </Card>
      <Card withBorder>
        <Stack gap="sm">
          <Title order={4}>{t("forms.settings.protection")}</Title>
          <TagsInput label={t("forms.settings.allowed_domains")} description={t("forms.settings.allowed_domains_hint")} disabled={readOnly}
            value={settings.allowed_domains ?? []} error={errorFor("settings.allowed_domains")} data-testid="settings-domains"
            placeholder={t("forms.settings.allowed_domains_placeholder")} onChange={(allowed_domains) => onChange({ allowed_domains })} />
          <NumberInput label={t("forms.settings.minimum_seconds")} description={t("forms.settings.minimum_seconds_hint")} min={0} max={3600} w={320}
            value={settings.minimum_seconds ?? 3} disabled={readOnly} error={errorFor("settings.minimum_seconds")} data-testid="settings-minimum-seconds"
            onChange={(v) => onChange({ minimum_seconds: typeof v === "number" ? v : 0 })} />
          <Radio.Group label={t("forms.settings.no_script")} description={t("forms.settings.no_script_hint")} value={settings.no_script ?? "review"}
            onChange={(v) => onChange({ no_script: v as FormSettings["no_script"] })} data-testid="settings-no-script">
            <Stack gap={6} mt="xs">
              {(["accept", "review", "refuse"] as const).map((choice) => (
                <Radio key={choice} value={choice} disabled={readOnly} label={t(`forms.settings.no_script_choices.${choice}`)}
                  description={t(`forms.settings.no_script_explain.${choice}`)} data-testid={`settings-no-script-${choice}`} />
              ))}
            </Stack>
          </Radio.Group>
        </Stack>
      </Card>
    </Stack>
  );
}
