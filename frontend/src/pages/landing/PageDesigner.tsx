// The landing page designer: GrapesJS with the webpage preset (responsive: desktop, tablet, mobile)
// and a "Form" block that places one of our forms (saved as <div data-parcours-form="id">, replaced
// by the form itself when the page is served). Loaded lazily with the page editor.
import "grapesjs/dist/css/grapes.min.css";

import { Select, Text } from "@mantine/core";
import type { BlockProperties, Component, Editor } from "grapesjs";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import grapesFr from "grapesjs/locale/fr";
import MESSAGES from "../../email/messages.json";
import type { FormChoice } from "../../api/queries/landing";
import { libraryImages } from "../../api/queries/assets";
import { connectAssetLibrary } from "../../email/assetLibrary";

export interface PageChange {
  project: object;
  html: string;
  css: string;
}

export interface PageDesignerApi {
  undo(): void;
  redo(): void;
  /** Deliver at once a change still waiting for its delay (before publishing or previewing). */
  flush(): void;
}

export interface PageDesignerProps {
  /** GrapesJS project data; when null, `html` and `css` are loaded. Read at mount. */
  project: object | null;
  html: string;
  css: string;
  language: "en" | "fr";
  forms: FormChoice[];
  onChange(change: PageChange): void;
  uploadImage(file: File): Promise<string>;
  onReady?(api: PageDesignerApi): void;
}

type Device = "desktop" | "tablet" | "mobile";
const DEVICES: Device[] = ["desktop", "tablet", "mobile"];
const FORM_TYPE = "parcours-form";
const CHANGE_DELAY = 800;

function isProject(project: object | null): project is object {
  const pages = (project as { pages?: unknown } | null)?.pages;
  return Array.isArray(pages) && pages.length > 0;
}

function formOptions(words: Record<string, string>, forms: FormChoice[]) {
  return [{ id: "0", label: words.form_choose }, ...forms.map((f) => ({ id: String(f.id), label: f.name }))];
}

function setUpForms(editor: Editor, words: Record<string, string>, forms: () => FormChoice[]) {
  const label = (id: string) => {
    const form = forms().find((f) => String(f.id) === id);
    return form ? words.form_placeholder.replace("{name}", form.name) : words.form_choose;
  };
  editor.DomComponents.addType(FORM_TYPE, {
    isComponent: (el: HTMLElement) => (el.getAttribute?.("data-parcours-form") != null ? { type: FORM_TYPE } : false),
    model: {
      defaults: {
        tagName: "div",
        droppable: false,
        editable: false,
        attributes: { "data-parcours-form": "0" },
        traits: [{ type: "select", name: "data-parcours-form", label: words.form_trait, options: formOptions(words, forms()) }],
        style: { padding: "16px", border: "1px dashed #5f6b7a", "border-radius": "6px", "text-align": "center" },
      },
      init(this: Component) {
        this.on("change:attributes:data-parcours-form", () => this.components(label(String(this.getAttributes()["data-parcours-form"] ?? "0"))));
      },
    },
  });
  editor.Blocks.add(FORM_TYPE, {
    label: words.form,
    category: words.form_category,
    content: { type: FORM_TYPE, components: words.form_choose },
    attributes: { "data-testid": "block-form" },
  });
  editor.on("component:selected", (component: Component) => {
    if (component.get("type") === FORM_TYPE) component.getTrait("data-parcours-form")?.set("options", formOptions(words, forms()));
  });
}

/** The blocks a page is built from (the preset brings links, quotes and text sections). */
function addBasicBlocks(editor: Editor, words: Record<string, string>) {
  const category = words.basic_category;
  const blocks: [string, string, NonNullable<BlockProperties["content"]>][] = [
    ["pc-heading", words.heading, { type: "text", tagName: "h2", content: words.heading_text }],
    ["pc-text", words.text, { type: "text", tagName: "p", content: words.text_text }],
    ["pc-image", words.image, { type: "image", style: { "max-width": "100%" }, activate: true }],
    ["pc-button", words.button, { type: "link", content: words.button_text, attributes: { href: "#" },
      style: { display: "inline-block", padding: "12px 24px", "border-radius": "6px", background: "#1c3d5a", color: "#ffffff", "text-decoration": "none" } }],
    ["pc-columns", words.columns, `<section style="display:flex;flex-wrap:wrap;gap:24px;padding:24px"><div style="flex:1 1 280px;min-height:80px"></div><div style="flex:1 1 280px;min-height:80px"></div></section>`],
    ["pc-section", words.section, `<section style="padding:48px 24px;max-width:960px;margin:0 auto"><h2>${words.heading_text}</h2><p>${words.text_text}</p></section>`],
  ];
  for (const [id, label, content] of blocks) editor.Blocks.add(id, { label, category, content });
}

/** The form block selected in the canvas: which form it shows, and how to change it. */
interface SelectedForm {
  formId: string;
  choose(id: string): void;
}

export default function PageDesigner(props: PageDesignerProps) {
  const latest = useRef(props);
  useLayoutEffect(() => {
    latest.current = props;
  });
  const container = useRef<HTMLDivElement>(null);
  const editorRef = useRef<Editor | null>(null);
  const [device, setDevice] = useState<Device>("desktop");
  const [failure, setFailure] = useState<unknown>(null);
  const [selectedForm, setSelectedForm] = useState<SelectedForm | null>(null);
  const words = MESSAGES[props.language].landing as Record<string, string>;

  useEffect(() => {
    const root = container.current;
    if (!root) return;
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    Promise.all([import("grapesjs"), import("grapesjs-preset-webpage")]).then(
      ([{ default: grapesjs }, { default: preset }]) => {
        if (!alive) return;
        const { project, html, css, language } = latest.current;
        const ui = MESSAGES[language].landing as Record<string, string>;
        const editor = grapesjs.init({
          container: root,
          height: "100%",
          width: "auto",
          telemetry: false,
          storageManager: false,
          noticeOnUnload: false,
          i18n: { locale: language, detectLocale: false, localeFallback: "en", messages: { fr: grapesFr } },
          plugins: [preset],
          pluginsOpts: { [preset as unknown as string]: { useCustomTheme: false } },
          deviceManager: {
            devices: [
              { id: "desktop", name: ui.desktop, width: "" },
              { id: "tablet", name: ui.tablet, width: "768px", widthMedia: "992px" },
              { id: "mobile", name: ui.mobile, width: "375px", widthMedia: "480px" },
            ],
          },
          assetManager: {
            upload: false,
            uploadFile: async (ev: DragEvent) => {
              const input = ev.target as HTMLInputElement | null;
              const files = Array.from(ev.dataTransfer?.files ?? input?.files ?? []).filter((f) => f.type.startsWith("image/"));
              for (const file of files) {
                const src = await latest.current.uploadImage(file).catch(() => null);
                if (src && alive) editor.AssetManager.add({ src });
              }
            },
          },
        });
        // Named for screen readers; the side panel scrolls, so it takes the keyboard's focus.
        const name = () => {
          editor.Canvas.getFrameEl()?.setAttribute("title", ui.canvas);
          const side = root.querySelector(".gjs-pn-views-container");
          side?.setAttribute("tabindex", "0");
          side?.setAttribute("aria-label", ui.blocks);
        };
        editor.on("load", name);
        name();
        editor.Panels.removePanel("devices-c"); // the toolbar above the canvas names the devices in words
        addBasicBlocks(editor, ui);
        setUpForms(editor, ui, () => latest.current.forms);
        connectAssetLibrary(editor, libraryImages);
        editor.on("component:toggled", () => {
          const component = editor.getSelected();
          if (component?.get("type") !== FORM_TYPE) return setSelectedForm(null);
          const choose = (id: string) => {
            component.addAttributes({ "data-parcours-form": id });
            setSelectedForm({ formId: id, choose });
          };
          setSelectedForm({ formId: String(component.getAttributes()["data-parcours-form"] ?? "0"), choose });
        });
        if (isProject(project)) editor.loadProjectData(project);
        else {
          editor.setComponents(html);
          editor.setStyle(css);
        }
        editor.UndoManager.clear();
        const emit = () =>
          latest.current.onChange({ project: editor.getProjectData(), html: editor.getHtml(), css: editor.getCss() ?? "" });
        editor.on("update", () => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            timer = undefined;
            emit();
          }, CHANGE_DELAY);
        });
        editorRef.current = editor;
        latest.current.onReady?.({
          undo: () => editor.UndoManager.undo(),
          redo: () => editor.UndoManager.redo(),
          flush: () => {
            if (timer === undefined) return;
            clearTimeout(timer);
            timer = undefined;
            emit();
          },
        });
      },
      (error: unknown) => alive && setFailure(error),
    );
    return () => {
      alive = false;
      clearTimeout(timer);
      editorRef.current?.destroy();
      editorRef.current = null;
      root.replaceChildren();
    };
  }, [props.language]);

  const pick = (d: Device) => {
    setDevice(d);
    editorRef.current?.Devices.select(d);
  };

  if (failure) throw failure;
  return (
    <div data-testid="page-designer" style={{ display: "flex", flexDirection: "column", height: "calc(100vh - 260px)", minHeight: 520 }}>
      <div role="toolbar" aria-label={words.canvas} style={{ display: "flex", gap: 8, padding: "4px 0" }}>
        {DEVICES.map((d) => (
          <button key={d} type="button" aria-pressed={device === d} data-testid={`device-${d}`} onClick={() => pick(d)}
            style={{ padding: "4px 12px", borderRadius: 4, border: "1px solid #5f6b7a", background: device === d ? "#1c3d5a" : "#ffffff", color: device === d ? "#ffffff" : "#1f2933" }}>
            {words[d]}
          </button>
        ))}
      </div>
      {selectedForm && (
        <div data-testid="page-form-picker" style={{ display: "flex", gap: 12, alignItems: "flex-end", padding: "4px 0 8px" }}>
          <Select label={words.form_trait} placeholder={words.form_choose} data-testid="page-form-select" w={320}
            data={props.forms.map((f) => ({ value: String(f.id), label: f.name }))}
            value={selectedForm.formId === "0" ? null : selectedForm.formId}
            onChange={(value) => value && selectedForm.choose(value)} />
          {!props.forms.length && <Text size="sm" c="dimmed">{words.no_forms}</Text>}
        </div>
      )}
      <div ref={container} style={{ flex: 1, minHeight: 0 }} />
    </div>
  );
}
