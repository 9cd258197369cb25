// Adjustments to grapesjs-mjml's component types, applied once the plugin has registered them.
import type { Component, Editor, ToHTMLOptions } from "grapesjs";
import { RAW_ATTRIBUTE } from "./mjml";

interface MjmlTemplate {
  start: string;
  end: string;
}
type TemplateFn = (this: unknown) => MjmlTemplate;

type Attributes = Record<string, unknown>;
type MjmlModel = Component & { handleStyleChange(): void; handleAttributeChange(): void };

// Types rendered by compiling a small MJML document of their own (<mjml><mj-body>...).
const BODY_TYPES = [
  "mj-body", "mj-wrapper", "mj-section", "mj-group", "mj-column", "mj-text", "mj-button", "mj-image",
  "mj-divider", "mj-social", "mj-social-element", "mj-spacer", "mj-navbar", "mj-navbar-link", "mj-hero", "mj-raw",
];

const inside = (types: string[]) => types.map((t) => `[data-gjs-type="${t}"]`).join(", ");

// A transparent pixel: social icons keep their coloured square in the canvas without asking
// mailjet.com for the default icon (the exported MJML still has no src, so emails get it).
const PIXEL = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

const JINJA_STYLE =
  "display:block;font:12px/1.6 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#5f3dc4;" +
  "background:#f3f0ff;border:1px dashed #9775fa;border-radius:4px;padding:2px 8px;margin:2px 0;";

/**
 * Jinja inside attribute values, like `href="{{ url | default("#") }}"`: MRML writes the inner
 * `"` as `\"`, which Jinja cannot read. Jinja takes `'` just as well.
 */
const jinjaQuotes = (value: string) =>
  value.replace(/\{[{%][\s\S]*?[}%]\}/g, (tag) => (tag.includes("'") ? tag : tag.replace(/"/g, "'")));

function attributesHtml(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter(([k, v]) => k !== "id" && k !== RAW_ATTRIBUTE && v !== undefined && v !== null && v !== "")
    .map(([k, v]) => ` ${k}="${jinjaQuotes(String(v)).replace(/"/g, "&quot;")}"`)
    .join("");
}

/** The mj-head's <mj-attributes>, so each piece rendered in the canvas gets the email's defaults. */
function headAttributes(editor: Editor): string {
  const child = (parent: Component | undefined, type: string) =>
    parent?.components().find((c: Component) => c.get("type") === type);
  const attributes = child(child(child(editor.getWrapper(), "mjml"), "mj-head"), "mj-attributes");
  return attributes ? `<mj-head>${attributes.toHTML()}</mj-head>` : "";
}

/**
 * The HTML of the text being typed in `component`, from the rich text editor (GrapesJS copies it
 * to the model only when editing ends), without GrapesJS's canvas attributes. Else undefined.
 */
function typedHtml(editor: Editor, component: Component): string | undefined {
  const el = editor.getEditing() === component ? editor.RichTextEditor.globalRte?.el : undefined;
  if (!el) return undefined;
  const copy = el.cloneNode(true) as HTMLElement;
  const byId = editor.Components.allById();
  copy.querySelectorAll("*").forEach((node) => {
    for (const { name } of Array.from(node.attributes)) {
      if (name.startsWith("data-gjs-") || name === "draggable" || name === "contenteditable") node.removeAttribute(name);
    }
    const id = node.getAttribute("id");
    if (id && byId[id] && !byId[id].get("attributes")?.id) node.removeAttribute("id"); // canvas-only ids
    Array.from(node.classList).forEach((c) => c.startsWith("gjs-") && node.classList.remove(c));
    if (node.getAttribute("class") === "") node.removeAttribute("class");
  });
  return copy.innerHTML.replace(/&nbsp;/g, "\u00a0");
}

function isJinjaRaw(el: HTMLElement): boolean {
  if ((el.tagName || "").toLowerCase() !== "mj-raw") return false;
  const nodes = Array.from(el.childNodes);
  return nodes.length > 0 && nodes.every((n) => n.nodeType === Node.TEXT_NODE) && /\{[%#]/.test(el.textContent ?? "");
}

export function adjustMjmlTypes(editor: Editor): void {
  const { Components } = editor;

  // <mj-attributes> is kept as written: its <mj-text .../> children are defaults, not content.
  Components.addType("mj-attributes", {
    isComponent: (el) =>
      (el.tagName || "").toLowerCase() === "mj-attributes"
        ? { type: "mj-attributes", content: el.innerHTML.trim(), components: [] }
        : undefined,
    model: {
      defaults: {
        tagName: "mj-attributes",
        draggable: false, droppable: false, selectable: false, hoverable: false, layerable: false, copyable: false,
      },
      toHTML(this: Component) {
        return `<mj-attributes>${String(this.get("content") ?? "")}</mj-attributes>`;
      },
    },
  });

  // {% if ... %} / {% endif %} written as <mj-raw>: kept byte for byte (a text node would turn
  // `>` into `&gt;` and break the Jinja), shown as a tag in the canvas, editable in Settings.
  Components.addType("jinja", {
    isComponent: (el) =>
      isJinjaRaw(el) ? { type: "jinja", content: (el.textContent ?? "").trim(), components: [] } : undefined,
    model: {
      defaults: {
        tagName: "mj-raw",
        name: "Jinja",
        draggable: inside(["mj-body", "mj-column", "mj-hero"]),
        droppable: false,
        stylable: false,
        traits: [{ type: "text", name: "content", label: "Jinja", changeProp: true }],
      },
      toHTML(this: Component) {
        return `<mj-raw>${String(this.get("content") ?? "")}</mj-raw>`;
      },
    },
    view: {
      init() {
        this.listenTo(this.model, "change:content", this.render);
      },
      onRender({ el, model }) {
        el.textContent = String(model.get("content") ?? "");
        el.setAttribute("style", JINJA_STYLE);
      },
    },
  });

  // The head has nothing to edit in the canvas (hidden there by the canvas CSS).
  Components.addType("mj-head", { model: { defaults: { layerable: false, selectable: false, hoverable: false } } });

  // <mj-table> (and an <mj-raw> of table rows), which grapesjs-mjml does not know: kept as
  // written (see normalizeMjml), shown compiled in the canvas, editable in the code.
  Components.addType("verbatim", {
    isComponent: (el) => {
      const raw = el.getAttribute?.(RAW_ATTRIBUTE);
      return raw === null || raw === undefined ? undefined : { type: "verbatim", content: decodeURIComponent(raw), components: [] };
    },
    model: {
      defaults: { droppable: false, stylable: false, draggable: inside(["mj-column", "mj-hero"]) },
      init(this: Component) {
        const { [RAW_ATTRIBUTE]: _raw, ...attributes } = this.getAttributes();
        this.set({ attributes, name: this.get("tagName") === "mj-table" ? "Table" : "Raw" }, { silent: true });
      },
      toHTML(this: Component) {
        const tag = String(this.get("tagName"));
        return `<${tag}${attributesHtml(this.getAttributes())}>${String(this.get("content") ?? "")}</${tag}>`;
      },
    },
    view: {
      tagName: () => "tr",
      init() {
        this.listenTo(this.model, "change:content change:attributes", this.render);
      },
      onRender({ el, model }) {
        const mjml = `<mjml>${headAttributes(editor)}<mj-body><mj-column>${model.toHTML()}</mj-column></mj-body></mjml>`;
        const out = editor.runCommand("mjml-code-to-html", { mjml }) as { html?: string } | undefined;
        const doc = new DOMParser().parseFromString(out?.html ?? "", "text/html"); // inert: loads nothing
        el.innerHTML = doc.querySelector("tr")?.innerHTML ?? "";
        el.setAttribute("style", "pointer-events:all;display:table;width:100%");
      },
    },
  });

  // <mj-font> would @import its (usually Google) stylesheet into the canvas: render nothing.
  Components.addType("mj-font", { view: { getTemplateFromMjml: () => "" } });

  // grapesjs-mjml copies its defaults (mj-text font-size 13px...) into each element's attributes
  // and leaves out, on export, any value equal to a default. Both lose what the source says when
  // <mj-attributes> sets other defaults (an explicit 13px would vanish, a 16px default be
  // overridden in the canvas). Keep exactly the attributes that were written.
  // Texts being typed are only copied to the model when editing ends: export them live.
  for (const type of [...BODY_TYPES, "mjml"]) {
    const model = Components.getType(type)?.model;
    if (!model?.prototype.getAttrToHTML) continue;
    const baseJSON = model.prototype.toJSON as (this: Component, opts?: object) => Record<string, unknown>;
    Components.addType(type, {
      model: {
        init(this: MjmlModel) {
          const attrs: Attributes = { ...this.getAttributes() };
          const style: Attributes = { ...this.getStyle() };
          for (const prop in style) if (!(prop in attrs)) attrs[prop] = style[prop];
          this.set("attributes", attrs);
          this.set("style", attrs);
          this.listenTo(this, "change:style", this.handleStyleChange);
          this.listenTo(this, "change:attributes", this.handleAttributeChange);
        },
        getAttrToHTML(this: Component) {
          const attrs: Attributes = { ...this.get("attributes") };
          delete attrs.style;
          const src = this.get("src");
          if (type === "mj-image" && src) attrs.src = src;
          return attrs;
        },
        toHTML(this: Component, opts?: ToHTMLOptions) {
          const tag = String(this.get("tagName"));
          const open = `<${tag}${attributesHtml(this.getAttrToHTML())}`;
          const live = typedHtml(editor, this);
          if (live !== undefined) return `${open}>${live}</${tag}>`;
          if (this.get("void")) return `${open}/>`;
          const children = this.components().map((c: Component) => c.toHTML(opts));
          return `${open}>${String(this.get("content") ?? "")}${children.join("")}</${tag}>`;
        },
        toJSON(this: Component, opts?: object) {
          const json = baseJSON.call(this, opts);
          const live = typedHtml(editor, this);
          return live === undefined ? json : { ...json, components: live };
        },
      },
    });
  }

  // Links inside texts: same care for Jinja in their href.
  const link = Components.getType("link")?.model;
  const linkAttrs = link?.prototype.getAttrToHTML as ((this: Component, opts?: ToHTMLOptions) => Attributes) | undefined;
  if (linkAttrs) {
    Components.addType("link", {
      model: {
        getAttrToHTML(this: Component, opts?: ToHTMLOptions) {
          const attrs = linkAttrs.call(this, opts);
          for (const k in attrs) if (typeof attrs[k] === "string") attrs[k] = jinjaQuotes(attrs[k]);
          return attrs;
        },
      },
    });
  }

  for (const type of BODY_TYPES) {
    const view = Components.getType(type)?.view;
    if (!view) continue;
    const base = view.prototype.getMjmlTemplate as TemplateFn;
    const overrides: Record<string, unknown> = {
      getMjmlTemplate(this: unknown) {
        const tpl = base.call(this);
        return { start: tpl.start.replace(/^<mjml>/, `<mjml>${headAttributes(editor)}`), end: tpl.end };
      },
    };
    if (type === "mj-social-element") {
      const inner = view.prototype.getInnerMjmlTemplate as TemplateFn;
      overrides.getInnerMjmlTemplate = function (this: { model: Component }) {
        const tpl = inner.call(this);
        return this.model.getAttributes().src
          ? tpl
          : { start: tpl.start.replace(/^<mj-social-element/, `<mj-social-element src="${PIXEL}"`), end: tpl.end };
      };
    }
    Components.addType(type, { view: overrides });
  }
}
