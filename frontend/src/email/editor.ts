// GrapesJS set up for MJML emails, without React: Designer.tsx owns the layout and lifecycle.
import type { Component, Editor, RichTextEditorAction } from "grapesjs";
import grapesFr from "grapesjs/locale/fr";
import { addParcoursBlocks, IMAGE_PLACEHOLDER, type Language, MJML_BLOCKS, mjmlBlockOptions } from "./blocks";
import { connectAssetLibrary, type LibraryImage } from "./assetLibrary";
import { adjustMjmlTypes } from "./components";
import MESSAGES from "./messages.json";
import { BLANK_MJML, formatMjml, normalizeMjml } from "./mjml";

export interface DesignerToken {
  label: string;
  value: string;
}

export interface DesignerChange {
  project: object;
  mjml: string;
}

export interface DesignerApi {
  undo(): void;
  redo(): void;
  canUndo(): boolean;
  canRedo(): boolean;
  /** The design as indented MJML, for the backend's compiler (includes text being typed). */
  getMjml(): string;
  /** GrapesJS project data, to give back as `project` later (includes text being typed). */
  getProject(): object;
  /** Replace the content (e.g. after editing the code); undoable. */
  setMjml(mjml: string): void;
  /** At the cursor of the text being edited, else in a new text block after the selection. */
  insertToken(value: string): void;
}

/** What the editor reads from the component's latest props. */
export interface EditorCallbacks {
  onChange(change: DesignerChange): void;
  uploadImage(file: File): Promise<string>;
  /** The asset library's images, listed in the image picker each time it opens. */
  listImages?(): Promise<LibraryImage[]>;
  onReady?(api: DesignerApi): void;
  onHistoryChange?(history: { canUndo: boolean; canRedo: boolean }): void;
  labels: Record<string, string>;
  tokens: DesignerToken[];
}

export interface EditorSetup {
  containers: { canvas: HTMLElement; blocks: HTMLElement; style: HTMLElement; traits: HTMLElement; layers: HTMLElement };
  content: { project: object } | { mjml: string };
  language: Language;
  ui: { desktop: string; mobile: string; tokens: string; canvas: string };
  props: () => EditorCallbacks;
  /** Something is selected in the canvas, or not. */
  onSelection(selected: boolean): void;
}

export interface DesignerEditor {
  editor: Editor;
  setTokens(tokens: DesignerToken[]): void;
  /** Destroys the editor, after delivering a change still waiting for its delay. */
  dispose(): object | null;
}

/** GrapesJS (~1 MB) and grapesjs-mjml (~1.2 MB, MJML's compiler inside) as two chunks, loaded in parallel. */
export interface Grapes {
  grapesjs: typeof import("grapesjs").default;
  mjmlPlugin: typeof import("grapesjs-mjml").default;
}
let loading: Promise<Grapes> | undefined;
export function loadGrapes(): Promise<Grapes> {
  loading ??= Promise.all([import("grapesjs"), import("grapesjs-mjml")]).then(([g, m]) => ({
    grapesjs: g.default,
    mjmlPlugin: m.default,
  }));
  loading.catch(() => (loading = undefined)); // try again on the next mount
  return loading;
}

const CHANGE_DELAY = 800;
const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function createEditor(
  { grapesjs, mjmlPlugin }: Grapes,
  { containers, content, language, ui, props, onSelection }: EditorSetup,
): DesignerEditor {
  let assetSelect: ((asset: unknown, complete: boolean) => void) | undefined;
  let loaded = false;
  let disposed = false;

  const editor = grapesjs.init({
    container: containers.canvas,
    height: "100%",
    width: "auto",
    telemetry: false, // would post to app.grapesjs.com
    cssIcons: "", // would load Font Awesome from cdnjs
    storageManager: false,
    noticeOnUnload: false,
    panels: { defaults: [] },
    blockManager: { appendTo: containers.blocks },
    styleManager: { appendTo: containers.style },
    traitManager: { appendTo: containers.traits },
    layerManager: { appendTo: containers.layers },
    undoManager: { trackSelection: false },
    deviceManager: {
      devices: [
        { id: "desktop", name: ui.desktop, width: "" },
        { id: "mobile", name: ui.mobile, width: "375px", widthMedia: "480px" },
      ],
    },
    i18n: { locale: language, detectLocale: false, localeFallback: "en", messages: { fr: grapesFr } },
    canvas: { customBadgeLabel: (c: Component) => c.getName() },
    canvasCss: "mj-head{display:none!important}",
    assetManager: {
      upload: false,
      multiUpload: false,
      // Upload through the page, add the URL to the library, and use it where the library was opened.
      uploadFile: async (ev: DragEvent) => {
        const input = ev.target as HTMLInputElement | null;
        const files = Array.from(ev.dataTransfer?.files ?? input?.files ?? []).filter((f) => f.type.startsWith("image/"));
        for (const file of files) {
          const src = await props().uploadImage(file).catch(() => null); // the page reports its errors
          if (disposed) return;
          if (!src) continue;
          const asset = editor.AssetManager.add({ src, type: "image", name: file.name });
          if (files.length === 1 && editor.AssetManager.isOpen()) assetSelect?.(asset, true);
        }
        if (input) input.value = "";
      },
    },
    ...("project" in content ? { projectData: content.project } : { components: normalizeMjml(content.mjml || BLANK_MJML) }),
    plugins: [
      (ed: Editor) =>
        mjmlPlugin(ed, {
          blocks: MJML_BLOCKS,
          block: mjmlBlockOptions,
          imagePlaceholderSrc: IMAGE_PLACEHOLDER,
          resetDevices: false,
          useCustomTheme: false,
          // Ours, in both languages, over GrapesJS's: given here so that grapesjs-mjml names its
          // components (layers, badges) with them too. Every panel, block and setting is translated.
          i18n: MESSAGES,
        }),
      (ed: Editor) => {
        translateTextToolbar(ed);
        adjustMjmlTypes(ed);
        addParcoursBlocks(ed, props().labels, language);
      },
    ],
  });
  editor.on("command:run:before:open-assets", ({ options }: { options: { select?: typeof assetSelect } }) => {
    assetSelect = options.select;
  });
  connectAssetLibrary(editor, () => props().listImages?.() ?? Promise.resolve([]));

  // A list of tokens in the rich text toolbar.
  const select = document.createElement("select");
  select.className = "pd-token-select";
  const setTokens = (tokens: DesignerToken[]) => {
    select.replaceChildren(new Option(ui.tokens, ""), ...tokens.map((t) => new Option(t.label, t.value)));
    select.title = ui.tokens;
  };
  setTokens(props().tokens);
  const tokenAction: RichTextEditorAction = {
    name: "parcours-token",
    icon: select,
    event: "change",
    result: () => {
      if (select.value) insertAtCursor(editor, select.value);
      select.value = "";
    },
  };
  editor.RichTextEditor.add(tokenAction.name, tokenAction);

  const showBodyInLayers = () => {
    const body = editor.getWrapper()?.findType("mj-body")[0];
    if (body) editor.Layers.setRoot(body);
  };
  const getMjml = () => formatMjml(String(editor.runCommand("mjml-code") ?? ""));
  const history = () => {
    const um = editor.UndoManager;
    props().onHistoryChange?.({ canUndo: um.hasUndo(), canRedo: um.hasRedo() });
  };
  let timer: number | undefined;
  const emit = () => {
    timer = undefined;
    props().onChange({ project: editor.getProjectData(), mjml: getMjml() });
  };

  const api: DesignerApi = {
    undo: () => {
      editor.UndoManager.undo();
    },
    redo: () => {
      editor.UndoManager.redo();
    },
    canUndo: () => editor.UndoManager.hasUndo(),
    canRedo: () => editor.UndoManager.hasRedo(),
    getMjml,
    getProject: () => editor.getProjectData(),
    setMjml: (source) => {
      editor.select(undefined);
      editor.setComponents(normalizeMjml(source || BLANK_MJML));
      showBodyInLayers();
    },
    insertToken: (value) => insertToken(editor, value),
  };

  editor.on("load", () => {
    if (disposed) return;
    loaded = true;
    editor.Canvas.getFrameEl()?.setAttribute("title", ui.canvas);
    nameTraitFields(containers.traits);
    editor.UndoManager.clear();
    showBodyInLayers();
    // "update" is a change of the model; typing in a text only updates the model when editing
    // ends, so typing ("component:input") counts too (the export reads the text being typed).
    // Undo and redo change the design too: they are saved like any other change.
    editor.on("update component:input undo redo", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(emit, CHANGE_DELAY);
      history();
    });
    editor.on("component:toggled", () => onSelection(!!editor.getSelected()));
    props().onReady?.(api);
    history();
  });

  return {
    editor,
    setTokens,
    dispose: () => {
      disposed = true;
      if (timer !== undefined) {
        window.clearTimeout(timer);
        emit(); // don't lose the last change
      }
      const project = loaded ? editor.getProjectData() : null;
      editor.destroy();
      return project;
    },
  };
}

/** The text toolbar's buttons (bold, italic, link...) are titled in English by GrapesJS. */
function translateTextToolbar(editor: Editor): void {
  for (const action of editor.RichTextEditor.getAll()) {
    const title = editor.I18n.t(`richTextEditor.${action.name}`);
    if (title) action.attributes = { ...action.attributes, title };
  }
}

/** Inserts at the cursor of the text being edited; false when no text is being edited. */
function insertAtCursor(editor: Editor, value: string): boolean {
  const editing = editor.getEditing();
  const rte = editor.RichTextEditor.globalRte;
  if (!editing || !rte) return false;
  rte.insertHTML(escapeHtml(value));
  editor.trigger("component:input", editing); // like typing: a change to deliver
  return true;
}

/** At the cursor when a text is being edited; otherwise a new text block after the selection. */
function insertToken(editor: Editor, value: string): void {
  if (insertAtCursor(editor, value)) return;
  const text = `<mj-text>${escapeHtml(value)}</mj-text>`;
  const selected = editor.getSelected();
  const column = selected?.is("mj-column") ? selected : selected?.closestType("mj-column");
  let added: Component[] = [];
  if (column && selected && selected !== column && selected.parent() === column) {
    added = column.append(text, { at: selected.index() + 1 });
  } else if (column) {
    added = column.append(text);
  } else {
    const body = editor.getWrapper()?.findType("mj-body")[0];
    added = body?.append(`<mj-section><mj-column>${text}</mj-column></mj-section>`) ?? [];
  }
  const first = added[0];
  if (first) editor.select(first.is("mj-text") ? first : first.findType("mj-text")[0]);
}

/** GrapesJS writes a trait's label beside its field, not in a <label>: name each field by it. */
function nameTraitFields(container: HTMLElement) {
  const name = () => {
    container.querySelectorAll<HTMLElement>(".gjs-trt-trait").forEach((trait) => {
      const label = trait.querySelector(".gjs-label, .gjs-trt-trait__label")?.textContent?.trim();
      trait.querySelectorAll("input, select, textarea").forEach((field) => {
        if (label && !field.getAttribute("aria-label")) field.setAttribute("aria-label", label);
      });
    });
  };
  name();
  new MutationObserver(name).observe(container, { childList: true, subtree: true });
}
