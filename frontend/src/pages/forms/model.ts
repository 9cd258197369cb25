// The form being designed, as the editor holds it: fields and settings, with the pure helpers the
// screens share (a new field of a type, moving one, the starting templates, the values a "Saves to"
// select offers). No request here: api/queries/forms.ts sends what this builds.
import type { FormField, FormSettings } from "../../api/queries/forms";

export type Lang = "en" | "fr";
export const LANGS: Lang[] = ["en", "fr"];

export const FIELD_TYPES = [
  "text", "email", "phone", "number", "date", "select", "radio", "checkboxes", "textarea", "hidden", "consent",
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const WITH_CHOICES: FieldType[] = ["select", "radio", "checkboxes"];
export const WITH_PATTERN: FieldType[] = ["text", "email", "phone", "textarea"];
export const HIDDEN_SOURCES = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"] as const;

/** The contact fields a form can fill, in the order a marketer expects them. */
export const CONTACT_FIELDS = [
  "email", "first_name", "last_name", "phone", "company", "job_title", "city", "country", "language", "birth_date", "gender",
] as const;

/** Names the form's page posts itself: no field may take them. */
const RESERVED = ["page_id", "anonymous_id", "altcha", "_ts", "website", "p", "language"];

/** What a field of each type saves to when first added. */
const DEFAULT_MAPS_TO: Partial<Record<FieldType, string>> = { email: "email", phone: "phone", consent: "consent:email" };

export type Draft = { name: string; fields: FormField[]; settings: FormSettings };

export type Texts = { label: (type: FieldType, lang: Lang) => string; choice: (n: number, lang: Lang) => string };

/** A field name no other field of the form uses, made from its type (`text_2`…). */
export function freeName(fields: Pick<FormField, "name">[], base: string): string {
  const taken = new Set([...fields.map((f) => f.name), ...RESERVED]);
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}_${n}`)) n += 1;
  return `${base}_${n}`;
}

export function newField(type: FieldType, fields: FormField[], texts: Texts): FormField {
  const mapsTo = DEFAULT_MAPS_TO[type];
  const used = new Set(fields.map((f) => f.maps_to));
  const labels = { en: texts.label(type, "en"), fr: texts.label(type, "fr") };
  return {
    name: freeName(fields, type),
    type,
    label: labels.en,
    labels,
    required: type === "email" || type === "consent",
    maps_to: mapsTo && !used.has(mapsTo) ? mapsTo : null,
    help: "",
    helps: {},
    message: "",
    messages: {},
    pattern: null,
    placeholder: "",
    options: WITH_CHOICES.includes(type)
      ? [1, 2].map((n) => ({ value: `choice_${n}`, label: texts.choice(n, "en"), labels: { en: texts.choice(n, "en"), fr: texts.choice(n, "fr") } }))
      : [],
    source: type === "hidden" ? "utm_source" : null,
    progressive: false,
  };
}

/** A field still named after its type (`text`, `text_2`) takes the name of where it saves
 * (`city`, `consent_email`): its answers then read well in the submissions and the interaction. */
export function renamedFor(field: FormField, mapsTo: string | null, fields: FormField[]): string {
  if (!mapsTo || !new RegExp(`^${field.type}(_\\d+)?$`).test(field.name)) return field.name;
  const base = mapsTo.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^[^a-z]+|_+$/g, "").slice(0, 36);
  return base ? freeName(fields.filter((f) => f !== field), base) : field.name;
}

export function move<T>(items: T[], from: number, to: number): T[] {
  if (to < 0 || to >= items.length || from === to) return items;
  const next = [...items];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item);
  return next;
}

/** A field's text in a language, falling back on the other one so that the preview never shows a blank. */
export function inLang(texts: Partial<Record<Lang, string>> | null | undefined, lang: Lang, fallback = ""): string {
  return texts?.[lang] || fallback || texts?.[lang === "fr" ? "en" : "fr"] || "";
}

/** A text in both languages set in one language: the default text follows the form's first language. */
export function setLang(texts: Partial<Record<Lang, string>>, lang: Lang, value: string): Partial<Record<Lang, string>> {
  return { ...texts, [lang]: value };
}

/** Whether a pattern compiles in the browser (the server checks it again), and whether a sample matches it whole. */
export function testPattern(pattern: string, sample: string): { valid: boolean; matches: boolean | null } {
  try {
    const regex = new RegExp(`^(?:${pattern})$`, "u");
    return { valid: true, matches: sample === "" ? null : regex.test(sample) };
  } catch {
    return { valid: false, matches: null };
  }
}

/** The default texts (`label`, `help`, `message`, `thank_you`, `submit`) follow the form's first
 * language: the server shows them to a visitor whose language the form does not speak. */
export function withDefaults(draft: Draft): Draft {
  const first = (draft.settings.languages?.[0] ?? "en") as Lang;
  const pick = (texts: Partial<Record<Lang, string>> | undefined, current: string) => inLang(texts, first, "") || current;
  return {
    ...draft,
    fields: draft.fields.map((f) => ({
      ...f,
      label: pick(f.labels, f.label ?? ""),
      help: pick(f.helps, ""),
      message: pick(f.messages, ""),
      options: (f.options ?? []).map((o) => ({ ...o, label: pick(o.labels, o.label ?? "") })),
    })),
    settings: {
      ...draft.settings,
      thank_you: pick(draft.settings.thank_you_labels, "") || null,
      submit: pick(draft.settings.submit_labels, ""),
    },
  };
}
