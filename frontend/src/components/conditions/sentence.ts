// Conditions in the marketer's words: "Country is France or Belgium", "Opened the email “Welcome”".
import type { TFunction } from "i18next";
import type { Builder, BuilderCondition, RuleField } from "../../api/client";
import { choicesOf, fieldLabel, LIST_VALUE, NO_VALUE } from "./ConditionBuilder";

/** The names a condition's ids stand for: segments, events and (in a journey) email steps. */
export type Names = { segments?: Map<number, string>; events?: Map<number, string>; steps?: Map<string, string> };

const RUN_TYPES = new Set(["steps", "links", "events"]);

function quoted(value: unknown, t: TFunction): string {
  return t("conditions.quoted", { text: String(value ?? "…") });
}

/** One condition as a sentence in the user's language. */
export function conditionSentence(condition: BuilderCondition, fields: RuleField[], t: TFunction, language: string, names: Names = {}): string {
  const field = fields.find((f) => f.name === condition.field);
  if (!field) return condition.field;
  const op = condition.operator;
  const value = condition.value as unknown;
  if (RUN_TYPES.has(field.type)) {
    const pair = Array.isArray(value) ? (value as string[]) : [value];
    const what = field.type === "events" ? names.events?.get(Number(value)) ?? `#${String(value)}` : names.steps?.get(String(pair[0])) ?? String(pair[0] ?? "…");
    return t(`conditions.sentences.${field.name}_${op}`, { what, url: pair[1] ?? "" });
  }
  const label = fieldLabel(field, language);
  const words = (key: string) => t(`operators.${key}`);
  const choices = choicesOf(field, language);
  const shown = (v: unknown) => {
    if (field.type === "segments") return quoted(names.segments?.get(Number(v)) ?? `#${String(v)}`, t);
    if (typeof v === "number") return v.toLocaleString(language);
    return choices.find((c) => c.value === v)?.label ?? String(v ?? "…");
  };
  if (NO_VALUE.has(op)) return `${label} ${words(op)}`;
  if (LIST_VALUE.has(op)) {
    const listed = ((value as unknown[] | null) ?? []).map(shown).join(` ${t("conditions.or")} `);
    return `${label} ${words(op === "is_any_of" ? "is" : "is_none_of")} ${listed}`;
  }
  if (op === "between") {
    const [low, high] = (value as number[] | null) ?? [];
    return `${label} ${words(op)} ${shown(low)} ${t("segments.and")} ${shown(high)}`;
  }
  if (op === "in_last_days" || op === "more_than_days_ago") return `${label} ${t(`conditions.${op}`, { count: Number(value) || 0 })}`;
  if (field.type === "string" && op !== "is" && op !== "is_not") return `${label} ${words(op)} ${quoted(value, t)}`;
  return `${label} ${words(op)} ${shown(value)}`;
}

/** A whole builder as one sentence: its conditions joined by "and" / "or". */
export function builderSentence(builder: Builder, fields: RuleField[], t: TFunction, language: string, names: Names = {}): string {
  const join = (match: string | undefined) => ` ${t(match === "any" ? "conditions.or" : "conditions.and")} `;
  const many = builder.groups.length > 1;
  return builder.groups
    .map((group) => {
      const text = group.conditions.map((c) => conditionSentence(c, fields, t, language, names)).join(join(group.match));
      return many && group.conditions.length > 1 ? `(${text})` : text;
    })
    .join(join(builder.match));
}
