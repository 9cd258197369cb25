// The forms a marketer starts from: simple field sets, in both languages, ready to publish.
import i18n from "../../i18n";
import type { FormField, FormSettings } from "../../api/queries/forms";
import { newField, withDefaults, type Draft, type FieldType, type Lang, type Texts } from "./model";

export const TEMPLATES = ["newsletter", "contact", "event"] as const;
export type TemplateKey = (typeof TEMPLATES)[number];

const tr = (key: string, lang: Lang) => i18n.t(key, { lng: lang });
const both = (key: string) => ({ en: tr(key, "en"), fr: tr(key, "fr") });

export const fieldTexts: Texts = {
  label: (type, lang) => tr(`forms.defaults.${type}`, lang),
  choice: (n, lang) => i18n.t("forms.defaults.choice_n", { n, lng: lang }),
};

type Spec = [FieldType, Partial<FormField> & { text?: string; choices?: string[] }];

const SPECS: Record<TemplateKey, Spec[]> = {
  newsletter: [
    ["email", { required: true }],
    ["text", { name: "first_name", maps_to: "first_name", text: "forms.defaults.first_name", required: false }],
    ["consent", { name: "newsletter_consent", maps_to: "consent:email", text: "forms.templates_text.newsletter_consent" }],
    ["hidden", { name: "utm_source", source: "utm_source" }],
  ],
  contact: [
    ["text", { name: "first_name", maps_to: "first_name", text: "forms.defaults.first_name", required: true }],
    ["text", { name: "last_name", maps_to: "last_name", text: "forms.defaults.last_name", required: true }],
    ["email", { required: true }],
    ["phone", { required: false }],
    ["text", { name: "company", maps_to: "company", text: "forms.defaults.company" }],
    ["textarea", { name: "message", text: "forms.defaults.message", required: true }],
  ],
  event: [
    ["text", { name: "first_name", maps_to: "first_name", text: "forms.defaults.first_name", required: true }],
    ["email", { required: true }],
    ["radio", { name: "attendance", text: "forms.templates_text.attendance", choices: ["yes", "maybe"] }],
    ["consent", { name: "event_consent", maps_to: "consent:email", text: "forms.templates_text.event_consent", required: false }],
  ],
};

export function defaultSettings(language: Lang): FormSettings {
  return {
    double_opt_in: false,
    redirect_url: null,
    thank_you: null,
    thank_you_labels: both("forms.defaults.thank_you"),
    submit: "",
    submit_labels: both("forms.defaults.submit"),
    allowed_domains: [],
    languages: language === "fr" ? ["fr", "en"] : ["en", "fr"],
    consent_version: "1",
    no_script: "review",
    minimum_seconds: 3,
    progressive_profiling: false,
  };
}

export function fromTemplate(key: TemplateKey | null, name: string, language: Lang): Draft {
  const fields: FormField[] = [];
  for (const [type, { text, choices, ...overrides }] of key ? SPECS[key] : [["email", {}] as Spec]) {
    const field: FormField = { ...newField(type, fields, fieldTexts), ...overrides };
    if (text) field.labels = both(text);
    if (choices) field.options = choices.map((value) => ({ value, label: "", labels: both(`forms.templates_text.${field.name}_${value}`) }));
    fields.push(field);
  }
  return withDefaults({ name, fields, settings: { ...defaultSettings(language), double_opt_in: key === "newsletter" } });
}
