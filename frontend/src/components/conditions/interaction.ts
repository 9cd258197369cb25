// What a behavioural field or condition counts, in words: a type of interaction, and optionally
// which one (an email, a form, an event, a page or link containing a text, a purchase category).
// The words become the filter rule over the interaction's properties, and back.

export const INTERACTION_TYPES = [
  "email_opened",
  "email_clicked",
  "page_visited",
  "form_submitted",
  "event_registered",
  "event_attended",
  "purchase",
] as const;

/** How the interaction is narrowed down: which property the words set. */
export type DetailKind = "none" | "email" | "form" | "event" | "url" | "category" | "custom";

export type Detail = { kind: DetailKind; value: string };

export const DETAILS_BY_TYPE: Record<string, DetailKind[]> = {
  email_opened: ["none", "email"],
  email_clicked: ["none", "email", "url"],
  page_visited: ["none", "url"],
  form_submitted: ["none", "form"],
  event_registered: ["none", "event"],
  event_attended: ["none", "event"],
  purchase: ["none", "category"],
};

export const detailsOf = (type: string): DetailKind[] => [...(DETAILS_BY_TYPE[type] ?? ["none"]), "custom"];

const quote = (text: string) => `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
const unquote = (text: string) => text.replace(/\\(["\\])/g, "$1");
// "contains" is a regular expression search: the marketer's text is matched as written.
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const unescapeRegex = (text: string) => text.replace(/\\([.*+?^${}()|[\]\\])/g, "$1");

const ID_PROPERTY: Partial<Record<DetailKind, string>> = { email: "email_id", form: "form_id", event: "event_id" };

/** The filter rule the words say (null: every interaction of the type). */
export function filterOf(detail: Detail): string | null {
  // Not trimmed: the marketer may be typing a space.
  const value = detail.value;
  if (detail.kind === "none" || !value.trim()) return null;
  if (detail.kind === "custom") return value;
  if (detail.kind === "url") return `url =~~ ${quote(escapeRegex(value))}`;
  if (detail.kind === "category") return `category == ${quote(value)}`;
  return `${ID_PROPERTY[detail.kind]} == ${Number(value)}`;
}

/** The words of a filter rule (a rule they cannot say stays a custom filter). */
export function detailOf(filter: string | null | undefined): Detail {
  const text = (filter ?? "").trim();
  if (!text) return { kind: "none", value: "" };
  const url = /^url =~~ "((?:[^"\\]|\\.)*)"$/.exec(text);
  if (url) return { kind: "url", value: unescapeRegex(unquote(url[1])) };
  const category = /^category == "((?:[^"\\]|\\.)*)"$/.exec(text);
  if (category) return { kind: "category", value: unquote(category[1]) };
  for (const [kind, property] of Object.entries(ID_PROPERTY)) {
    const found = new RegExp(`^${property} == (\\d+)$`).exec(text);
    if (found) return { kind: kind as DetailKind, value: found[1] };
  }
  return { kind: "custom", value: text };
}
