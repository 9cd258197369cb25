// MJML text helpers for the designer: no GrapesJS here, plain strings in and out.

/** A blank email: Helvetica/Arial by default, so nothing asks for the Ubuntu web font. */
export const BLANK_MJML = `<mjml>
  <mj-head>
    <mj-attributes>
      <mj-all font-family="Helvetica, Arial, sans-serif"></mj-all>
      <mj-text font-size="16px" line-height="24px" color="#1f2933"></mj-text>
    </mj-attributes>
  </mj-head>
  <mj-body background-color="#f4f5f7">
    <mj-section background-color="#ffffff" padding="24px">
      <mj-column>
        <mj-text>Hello {{ contact.first_name | default("there") }},</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

const ATTRS = String.raw`(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*`;
const SELF_CLOSING = new RegExp(String.raw`<(mj-[\w-]+|mjml)(${ATTRS})\s*/>`, "g");

const RAW = new RegExp(String.raw`<(mj-table|mj-raw)(${ATTRS})\s*>([\s\S]*?)</\1\s*>`, "g");
const TABLE_PARTS = /<\/?(tr|td|th|tbody|thead|tfoot|caption|colgroup|col)\b/i;
/** Attribute holding, URI-encoded, the content of an element the HTML parser would damage. */
export const RAW_ATTRIBUTE = "data-pd-raw";

/**
 * GrapesJS parses with the browser's HTML parser, where `<mj-image />` does not close (the
 * following elements would end up inside it) and <tr>/<td> outside a <table> are dropped.
 * Write every MJML element with a closing tag, and move such table rows into an attribute.
 */
export function normalizeMjml(source: string): string {
  return source
    .trim()
    .replace(SELF_CLOSING, "<$1$2></$1>")
    .replace(RAW, (all, tag: string, attrs: string, inner: string) =>
      tag === "mj-table" || TABLE_PARTS.test(inner)
        ? `<${tag}${attrs} ${RAW_ATTRIBUTE}="${encodeURIComponent(inner)}"></${tag}>`
        : all,
    );
}

// Elements whose content is HTML or text (kept byte for byte when formatting).
const ENDING = new Set([
  "mj-text", "mj-button", "mj-raw", "mj-preview", "mj-title", "mj-style", "mj-table",
  "mj-navbar-link", "mj-social-element", "mj-accordion-title", "mj-accordion-text", "mj-html-attribute",
]);
const TAG = new RegExp(String.raw`<(/?)(mj-[\w-]+|mjml)(${ATTRS})\s*(/?)>`, "g");

/** Indent MJML for reading (whitespace between MJML elements is not significant). */
export function formatMjml(source: string): string {
  const out: string[] = [];
  let depth = 0;
  let pos = 0;
  const text = (until: number) => {
    const between = source.slice(pos, until).trim(); // comments, stray text: kept
    if (between) out.push("  ".repeat(depth) + between);
  };
  TAG.lastIndex = 0;
  for (let m = TAG.exec(source); m; m = TAG.exec(source)) {
    const [tag, closing, name, , selfClosing] = m;
    text(m.index);
    if (closing) {
      depth = Math.max(0, depth - 1);
      out.push("  ".repeat(depth) + tag);
      pos = m.index + tag.length;
      continue;
    }
    const end = `</${name}>`;
    const after = m.index + tag.length;
    const emptyEnd = new RegExp(String.raw`\s*</${name}>`, "y");
    emptyEnd.lastIndex = after;
    if (!selfClosing && emptyEnd.test(source)) {
      out.push("  ".repeat(depth) + tag + end); // <mj-all ...></mj-all> on one line
      pos = TAG.lastIndex = emptyEnd.lastIndex;
      continue;
    }
    const close = ENDING.has(name) && !selfClosing ? source.indexOf(end, after) : -1;
    if (close >= 0) {
      // Keep the content verbatim, on the same line as its tags.
      out.push("  ".repeat(depth) + source.slice(m.index, close + end.length));
      pos = TAG.lastIndex = close + end.length;
      continue;
    }
    out.push("  ".repeat(depth) + tag);
    if (!selfClosing) depth += 1;
    pos = after;
  }
  text(source.length);
  return out.join("\n") + "\n";
}
