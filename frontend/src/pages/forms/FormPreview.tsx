// The form as a visitor sees it, in either language, updated as it is edited. Sending it here
// only shows what the visitor would see next: nothing is posted.
import { Alert, Button, Card, Checkbox, Group, NativeSelect, Radio, SegmentedControl, Stack, Text, TextInput, Textarea, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { FormField, FormSettings } from "../../api/queries/forms";
import { LANGS, inLang, testPattern, type Lang } from "./model";

const INPUT_TYPES: Partial<Record<FormField["type"], string>> = { email: "email", phone: "tel", number: "number", date: "date" };

function PreviewField({ field, lang, error }: { field: FormField; lang: Lang; error?: string }) {
  const { t } = useTranslation();
  const label = inLang(field.labels, lang, field.label);
  const help = inLang(field.helps, lang, field.help) || undefined;
  const common = { label, description: help, required: field.required, error, name: field.name, "data-testid": `preview-field-${field.name}` };
  const options = (field.options ?? []).map((o) => ({ value: o.value, label: inLang(o.labels, lang, o.label) || o.value }));
  switch (field.type) {
    case "hidden":
      return <Text size="xs" c="dimmed" data-testid={`preview-field-${field.name}`}>{t("forms.preview.hidden", { source: field.source ?? "" })}</Text>;
    case "consent":
      return <Checkbox label={label} description={help} error={error} name={field.name} data-testid={`preview-field-${field.name}`} />;
    case "textarea":
      return <Textarea {...common} autosize minRows={3} />;
    case "select":
      return <NativeSelect {...common} data={[{ value: "", label: t("forms.preview.choose") }, ...options]} />;
    case "radio":
      return (
        <Radio.Group {...common}>
          <Group mt={4}>{options.map((o) => <Radio key={o.value} value={o.value} label={o.label} />)}</Group>
        </Radio.Group>
      );
    case "checkboxes":
      return (
        <Checkbox.Group {...common}>
          <Group mt={4}>{options.map((o) => <Checkbox key={o.value} value={o.value} label={o.label} />)}</Group>
        </Checkbox.Group>
      );
    default:
      return <TextInput {...common} type={INPUT_TYPES[field.type] ?? "text"} />;
  }
}

/** What the browser would refuse before posting: a missing required answer, an answer the pattern refuses. */
function check(form: HTMLFormElement, fields: FormField[], lang: Lang, t: (k: string) => string): Record<string, string> {
  const data = new FormData(form);
  const errors: Record<string, string> = {};
  for (const field of fields) {
    if (field.type === "hidden") continue;
    const values = data.getAll(field.name).map(String).filter(Boolean);
    const custom = inLang(field.messages, lang, field.message);
    if (field.required && values.length === 0) errors[field.name] = custom || t("forms.preview.required");
    else if (field.pattern && values[0] && testPattern(field.pattern, values[0]).matches === false) errors[field.name] = custom || t("forms.preview.invalid");
  }
  return errors;
}

export function FormPreview({ fields, settings, name }: { fields: FormField[]; settings: FormSettings; name: string }) {
  const { t, i18n } = useTranslation();
  const languages = (settings.languages?.length ? settings.languages : LANGS) as Lang[];
  const [chosen, setChosen] = useState<Lang>(i18n.language === "fr" ? "fr" : "en");
  const lang = languages.includes(chosen) ? chosen : languages[0];
  const [sent, setSent] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const tl = (key: string) => i18n.t(key, { lng: lang });

  return (
    <Card withBorder data-testid="form-preview" aria-label={t("forms.preview.title")} component="section">
      <Stack gap="sm">
        <Group justify="space-between">
          <Text fw={600} size="sm">{t("forms.preview.title")}</Text>
          <SegmentedControl size="xs" value={lang} onChange={(v) => { setChosen(v as Lang); setErrors({}); }} data-testid="preview-language"
            aria-label={t("forms.preview.language")} data={languages.map((l) => ({ value: l, label: t(`forms.language_names.${l}`) }))} />
        </Group>
        <div lang={lang} style={{ background: "var(--mantine-color-gray-0)", padding: 16, borderRadius: 8 }}>
          {sent ? (
            <Stack data-testid="preview-thank-you">
              {settings.redirect_url ? (
                <Text>{t("forms.preview.redirects", { url: settings.redirect_url })}</Text>
              ) : (
                <Text>{inLang(settings.thank_you_labels, lang, settings.thank_you ?? "")}</Text>
              )}
              {settings.double_opt_in && <Alert color="blue" p="xs">{t("forms.preview.confirm_email")}</Alert>}
              <Button variant="default" size="xs" onClick={() => setSent(false)} data-testid="preview-again" style={{ alignSelf: "flex-start" }}>
                {t("forms.preview.again")}
              </Button>
            </Stack>
          ) : (
            <form noValidate onSubmit={(e) => {
              e.preventDefault();
              const found = check(e.currentTarget, fields, lang, tl);
              setErrors(found);
              if (!Object.keys(found).length) setSent(true);
            }}>
              <Stack gap="sm">
                <Title order={3} size="h4">{name}</Title>
                {fields.map((field) => <PreviewField key={field.name} field={field} lang={lang} error={errors[field.name]} />)}
                <Button type="submit" style={{ alignSelf: "flex-start" }} data-testid="preview-submit">
                  {inLang(settings.submit_labels, lang, settings.submit ?? "") || tl("forms.defaults.submit")}
                </Button>
              </Stack>
            </form>
          )}
        </div>
        <Text size="xs" c="dimmed">{t("forms.preview.nothing_sent")}</Text>
      </Stack>
    </Card>
  );
}
