// The designer's blocks: which of grapesjs-mjml's blocks we keep (with local placeholders
// instead of remote images) and our own "Parcours" blocks. Icons are inline SVG, no icon font.
import type { BlockProperties, Editor } from "grapesjs";

export type BlockKey = "token" | "conditional" | "event_card" | "footer";
export type Language = "en" | "fr";

export const BLOCK_LABELS: Record<BlockKey, string> = {
  token: "Personalization",
  conditional: "Conditional content",
  event_card: "Event card",
  footer: "Unsubscribe footer",
};

/** grapesjs-mjml blocks we offer (its hero and raw blocks load remote images, left out). */
export const MJML_BLOCKS = [
  "mj-1-column", "mj-2-columns", "mj-3-columns", "mj-text", "mj-image", "mj-button", "mj-divider",
  "mj-spacer", "mj-social-group", "mj-social-element", "mj-navbar", "mj-navbar-link", "mj-wrapper",
];

/** A light grey picture with a landscape, for new image blocks (replaced by an upload). */
export const IMAGE_PLACEHOLDER = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300" viewBox="0 0 600 300">' +
    '<rect width="600" height="300" fill="#e9ecef"/>' +
    '<path d="M210 210l60-70 45 50 30-30 45 50z" fill="#adb5bd"/><circle cx="360" cy="110" r="18" fill="#adb5bd"/></svg>',
)}`;

// Texts inside our blocks, in the designer's language (their labels come from the page).
const TEXTS: Record<Language, Record<string, string>> = {
  en: {
    conditional: "This paragraph is only sent to contacts who opened an email in the last 30 days.",
    register: "Register",
    preferences: "Manage your preferences",
    unsubscribe: "Unsubscribe",
  },
  fr: {
    conditional: "Ce paragraphe n'est envoyé qu'aux contacts ayant ouvert un email ces 30 derniers jours.",
    register: "S'inscrire",
    preferences: "Gérer mes préférences",
    unsubscribe: "Se désinscrire",
  },
};

const svg = (body: string) =>
  `<svg viewBox="0 0 24 24" width="32" height="32" fill="none" stroke="currentColor" stroke-width="1.6" ` +
  `stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${body}</svg>`;

const ICONS: Record<BlockKey, string> = {
  token: svg('<path d="M7 4a2 2 0 0 0-2 2v3a2 3 0 0 1-2 3a2 3 0 0 1 2 3v3a2 2 0 0 0 2 2"/><path d="M17 4a2 2 0 0 1 2 2v3a2 3 0 0 0 2 3a2 3 0 0 0-2 3v3a2 2 0 0 1-2 2"/><circle cx="12" cy="10" r="2"/><path d="M9 16c.6-1.4 1.6-2 3-2s2.4.6 3 2"/>'),
  conditional: svg('<circle cx="6" cy="5" r="2"/><circle cx="6" cy="19" r="2"/><circle cx="18" cy="9" r="2"/><path d="M6 7v10"/><path d="M18 11c0 4-6 3-11.3 6.6"/>'),
  event_card: svg('<rect x="4" y="5" width="16" height="16" rx="2"/><path d="M16 3v4M8 3v4M4 11h16"/><path d="M8 15h2v2H8z"/>'),
  footer: svg('<rect x="3" y="5" width="18" height="14" rx="2"/><path d="M3 7l9 6 9-6"/><path d="M8 21h8"/>'),
};

function content(key: BlockKey, language: Language): string {
  const t = TEXTS[language];
  switch (key) {
    case "token":
      return '<mj-text>{{ contact.first_name | default("there") }}</mj-text>';
    case "conditional":
      return `<mj-section><mj-column>
        <mj-raw>{% if rule("opens_30d > 0") %}</mj-raw>
        <mj-text>${t.conditional}</mj-text>
        <mj-raw>{% endif %}</mj-raw>
      </mj-column></mj-section>`;
    case "event_card":
      return `<mj-section background-color="#ffffff" padding="24px">
        <mj-column border="1px solid #e4e7eb" border-radius="8px" padding="16px">
          <mj-text font-size="22px" line-height="28px" font-weight="bold">{{ event.name }}</mj-text>
          <mj-text color="#52606d">{{ event.date }}</mj-text>
          <mj-button href="{{ event.registration_url }}" align="left">${t.register}</mj-button>
        </mj-column>
      </mj-section>`;
    case "footer":
      return `<mj-section padding="24px"><mj-column>
        <mj-text align="center" font-size="12px" line-height="18px" color="#5f6b7a"><a href="{{ preferences_url }}" style="color:#5f6b7a">${t.preferences}</a> · <a href="{{ unsubscribe_url }}" style="color:#5f6b7a">${t.unsubscribe}</a></mj-text>
      </mj-column></mj-section>`;
  }
}

/** Options for grapesjs-mjml's own blocks: a test id each (designer-block-mj-text...). */
export function mjmlBlockOptions(id: string): Partial<BlockProperties> {
  return { attributes: { "data-testid": `designer-block-${id}` } };
}

export const PARCOURS_CATEGORY = "Parcours";

export function addParcoursBlocks(editor: Editor, labels: Record<string, string>, language: Language): void {
  (Object.keys(BLOCK_LABELS) as BlockKey[]).forEach((key) => {
    editor.Blocks.add(`parcours-${key}`, {
      label: labels[key] || BLOCK_LABELS[key],
      media: ICONS[key],
      category: PARCOURS_CATEGORY,
      content: content(key, language),
      select: true,
      attributes: { "data-testid": `designer-block-${key}`, title: labels[key] || BLOCK_LABELS[key] },
    });
  });
}

export function updateBlockLabels(editor: Editor, labels: Record<string, string>): void {
  (Object.keys(BLOCK_LABELS) as BlockKey[]).forEach((key) => {
    editor.Blocks.get(`parcours-${key}`)?.set("label", labels[key] || BLOCK_LABELS[key]);
  });
}
