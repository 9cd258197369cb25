// A scoring model as the editor holds it, and the checks a marketer sees before the server's.
import type { ScoringModel, ScoringModelIn, ScoringRule } from "../../api/queries/scoring";

export type Draft = Required<ScoringModelIn>;

export const KINDS = ["behavioural", "demographic", "firmographic", "custom"] as const;

// The interaction types a marketer meets most; any other type can be typed in.
export const COMMON_INTERACTIONS = [
  "email_opened",
  "email_clicked",
  "form_submitted",
  "page_visited",
  "event_registered",
  "event_attended",
  "purchase",
] as const;

export const DEFAULT_GRADES = [
  { grade: "A", min: 100 },
  { grade: "B", min: 60 },
  { grade: "C", min: 30 },
  { grade: "D", min: 0 },
];

export function emptyDraft(): Draft {
  return {
    key: "",
    name: "",
    description: "",
    kind: "behavioural",
    threshold: 100,
    grades: DEFAULT_GRADES,
    rules: [],
    active: true,
    drives_stage: true,
    notify_email: null,
    notify_webhook: null,
  };
}

export function draftOf(model: ScoringModel): Draft {
  const { key, name, description, kind, threshold, grades, rules, active, drives_stage, notify_email, notify_webhook } = model;
  return { key, name, description, kind: kind as Draft["kind"], threshold, grades, rules, active, drives_stage, notify_email, notify_webhook };
}

/** A slug for the model's key, from its name: what rules see as score_<key>. */
export function slugOf(name: string): string {
  const slug = name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 34);
  return /^[a-z]/.test(slug) ? slug : slug ? `model_${slug}` : "";
}

function ruleId(label: string, taken: string[]): string {
  const base = slugOf(label).replace(/_/g, "-") || "rule";
  let id = base;
  for (let n = 2; taken.includes(id); n++) id = `${base}-${n}`;
  return id;
}

export function newInteractionRule(taken: ScoringRule[], label: string): ScoringRule {
  return {
    id: ruleId(label, taken.map((r) => r.id)),
    label,
    kind: "interaction",
    interaction_type: "email_clicked",
    filter: null,
    points: 10,
    cap: null,
    cap_days: null,
    decay_days: null,
  };
}

export function newAttributeRule(taken: ScoringRule[], label: string): ScoringRule {
  return { id: ruleId(label, taken.map((r) => r.id)), label, kind: "attribute", rule: "", points: 10 };
}

/** Problems the marketer can fix before asking the server, keyed by the contract's field paths
 * (`grades[1].min`, `rules[0].points`); values are translation keys. */
export function problemsOf(draft: Draft): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!draft.name.trim()) problems.name = "scoring.errors.name_required";
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(draft.key)) problems.key = "scoring.errors.key_format";
  if (!Number.isInteger(draft.threshold) || draft.threshold < 0) problems.threshold = "scoring.errors.threshold";
  const names = new Map<string, number>();
  const mins = new Map<number, number>();
  draft.grades.forEach((band, i) => {
    const name = band.grade.trim();
    if (!name) problems[`grades[${i}].grade`] = "scoring.errors.grade_name_required";
    else if (names.has(name)) problems[`grades[${i}].grade`] = "scoring.errors.grade_duplicate";
    else names.set(name, i);
    if (!Number.isInteger(band.min) || band.min < 0) problems[`grades[${i}].min`] = "scoring.errors.grade_min";
    else if (mins.has(band.min)) problems[`grades[${i}].min`] = "scoring.errors.grade_overlap";
    else mins.set(band.min, i);
  });
  if (!draft.grades.some((band) => band.min === 0)) problems.grades = "scoring.errors.grade_zero";
  draft.rules.forEach((rule, i) => {
    const at = `rules[${i}]`;
    if (!rule.label.trim()) problems[`${at}.label`] = "scoring.errors.label_required";
    if (!Number.isInteger(rule.points)) problems[`${at}.points`] = "scoring.errors.points";
    if (rule.kind === "attribute" && !rule.rule.trim()) problems[`${at}.rule`] = "scoring.errors.rule_required";
    if (rule.kind === "interaction") {
      if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(rule.interaction_type)) problems[`${at}.interaction_type`] = "scoring.errors.interaction_type";
      if (rule.cap != null && rule.cap < 1) problems[`${at}.cap`] = "scoring.errors.cap";
      if ((rule.cap == null) !== (rule.cap_days == null)) problems[`${at}.cap_days`] = "scoring.errors.cap_pair";
      else if (rule.cap_days != null && rule.cap_days < 1) problems[`${at}.cap_days`] = "scoring.errors.days";
      if (rule.decay_days != null && rule.decay_days < 1) problems[`${at}.decay_days`] = "scoring.errors.days";
    }
  });
  return problems;
}

/** Grade bands from the highest minimum down: how the editor and the badges list them. */
export function sortedGrades(grades: Draft["grades"]): Draft["grades"] {
  return [...grades].sort((a, b) => b.min - a.min);
}

export const GRADE_COLORS = ["green", "teal", "yellow", "orange", "red", "gray"];

export function gradeColor(grade: string | null | undefined, grades?: Draft["grades"]): string {
  if (!grade) return "gray";
  const order = grades ? sortedGrades(grades).map((g) => g.grade) : ["A", "B", "C", "D", "E"];
  const index = order.indexOf(grade);
  return index < 0 ? "gray" : GRADE_COLORS[Math.min(index, GRADE_COLORS.length - 1)];
}
