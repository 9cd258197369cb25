// The email designer: GrapesJS + grapesjs-mjml in a React component, to load lazily
// (`React.lazy(() => import("./email/Designer"))`). Nothing is fetched from outside: icons are
// inline SVG, GrapesJS's CSS comes from the package, telemetry and the icon font are off.
import "grapesjs/dist/css/grapes.min.css";
import "./designer.css";

import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ConditionInput } from "../components/conditions/ConditionInput";
import { type Language, updateBlockLabels } from "./blocks";
import type { LibraryImage } from "./assetLibrary";
import { ruleOfTag, tagOfRule } from "./condition";
import MESSAGES from "./messages.json";
import { createEditor, type DesignerApi, type DesignerChange, type DesignerEditor, type DesignerToken, loadGrapes } from "./editor";

export type { DesignerApi, DesignerChange, DesignerToken };

export interface DesignerProps {
  /** GrapesJS project data (from `getProject()` / `onChange`); when null, `mjml` is loaded. Read at mount. */
  project: object | null;
  /** MJML to load when `project` is null (a template, or `BLANK_MJML` from ./mjml). Read at mount. */
  mjml: string;
  /** Called ~800 ms after the last change. */
  onChange(change: DesignerChange): void;
  /** Uploads an image and resolves to its public URL. */
  uploadImage(file: File): Promise<string>;
  /** The asset library's images, offered in the image picker (reused rather than uploaded again). */
  listImages?(): Promise<LibraryImage[]>;
  /** Offered in the text toolbar. */
  tokens: DesignerToken[];
  /** Labels of our blocks: token, conditional, event_card, footer (English when missing). */
  labels: Record<string, string>;
  /** GrapesJS's own language; changing it rebuilds the editor, keeping the design and dropping undo. */
  language: Language;
  onReady?(api: DesignerApi): void;
  /** Called when undo/redo availability may have changed. */
  onHistoryChange?(history: { canUndo: boolean; canRedo: boolean }): void;
}

// Start downloading GrapesJS as soon as this (lazily loaded) module is.
loadGrapes().catch(() => undefined);

type Panel = "style" | "settings" | "layers";
type Device = "desktop" | "mobile";

// The designer's own words, checked complete in both languages at build time with GrapesJS's.
const UI: Record<Language, Record<Panel | Device | "tokens" | "canvas" | "blocks", string>> = { en: MESSAGES.en.parcours, fr: MESSAGES.fr.parcours };

const DEVICE_ICONS: Record<Device, string> = {
  desktop: "M4 5h16v10H4zM9 19h6M12 15v4",
  mobile: "M8 3h8a1 1 0 0 1 1 1v16a1 1 0 0 1-1 1H8a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zM11 18h2",
};

/** Project data as GrapesJS writes it (an empty object or `{}` from a database means "none"). */
function isProject(project: object | null): project is object {
  const pages = (project as { pages?: unknown } | null)?.pages;
  return Array.isArray(pages) && pages.length > 0;
}

export default function Designer(props: DesignerProps) {
  const { language, labels, tokens } = props;
  const latest = useRef(props);
  useLayoutEffect(() => {
    latest.current = props;
  });

  const canvasRef = useRef<HTMLDivElement>(null);
  const blocksRef = useRef<HTMLDivElement>(null);
  const styleRef = useRef<HTMLDivElement>(null);
  const traitsRef = useRef<HTMLDivElement>(null);
  const layersRef = useRef<HTMLDivElement>(null);
  const designer = useRef<DesignerEditor | null>(null);
  const kept = useRef<object | null>(null); // the design, kept across a change of language
  const [panel, setPanel] = useState<Panel>("style");
  const [device, setDevice] = useState<Device>("desktop");
  const [selected, setSelected] = useState(false);
  const [empty, setEmpty] = useState({ style: "", settings: "" }); // GrapesJS's "select an element" texts
  const [failure, setFailure] = useState<unknown>(null);
  // The selected conditional block's tag: its rule is written with the condition builder.
  const [condition, setCondition] = useState<{ id: string; rule: string; set(rule: string): void } | null>(null);
  const { t } = useTranslation();
  const ui = UI[language];

  useEffect(() => {
    const [canvas, blocks, style, traits, layers] = [canvasRef, blocksRef, styleRef, traitsRef, layersRef].map((r) => r.current);
    if (!canvas || !blocks || !style || !traits || !layers) return;
    let alive = true; // React's StrictMode mounts, unmounts and mounts again: one editor only
    loadGrapes().then(
      (grapes) => {
        if (!alive) return;
        const { project, mjml } = latest.current;
        const initial = kept.current ?? (isProject(project) ? project : null);
        designer.current = createEditor(grapes, {
          containers: { canvas, blocks, style, traits, layers },
          content: initial ? { project: initial } : { mjml },
          language,
          ui: UI[language],
          props: () => latest.current,
          onSelection: setSelected,
        });
        const { I18n } = designer.current.editor;
        const editor = designer.current.editor;
        editor.on("component:toggled", () => {
          const component = editor.getSelected();
          const rule = component?.get("type") === "jinja" ? ruleOfTag(String(component.get("content") ?? "")) : null;
          setCondition(component && rule !== null
            ? { id: component.getId(), rule, set: (next: string) => component.set("content", tagOfRule(next)) }
            : null);
        });
        setEmpty({ style: I18n.t("styleManager.empty"), settings: I18n.t("traitManager.empty") });
        setDevice("desktop");
        setSelected(false);
      },
      (error: unknown) => alive && setFailure(error),
    );
    return () => {
      alive = false;
      if (designer.current) kept.current = designer.current.dispose() ?? kept.current;
      designer.current = null;
      [canvas, blocks, style, traits, layers].forEach((el) => el.replaceChildren());
    };
  }, [language]);

  // Pages often pass new (equal) objects on each render: compare contents.
  const labelsKey = JSON.stringify(labels);
  const tokensKey = JSON.stringify(tokens);
  useEffect(() => {
    if (designer.current) updateBlockLabels(designer.current.editor, latest.current.labels);
  }, [labelsKey]);
  useEffect(() => {
    designer.current?.setTokens(latest.current.tokens);
  }, [tokensKey]);

  // GrapesJS measures its canvas: tell it when the box changes (e.g. a tab hidden, then shown).
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const observer = new ResizeObserver(() => designer.current?.editor.refresh());
    observer.observe(canvas);
    return () => observer.disconnect();
  }, []);

  const pickDevice = (d: Device) => {
    setDevice(d);
    designer.current?.editor.Devices.select(d);
  };

  if (failure) throw failure; // e.g. a chunk that did not load: for the page's error boundary
  return (
    <div className="pd-root" data-testid="designer">
      <aside className="pd-blocks" data-testid="designer-blocks" ref={blocksRef} tabIndex={0} aria-label={ui.blocks} />
      <div className="pd-main">
        <div className="pd-toolbar" role="toolbar">
          {(["desktop", "mobile"] as Device[]).map((d) => (
            <button key={d} type="button" className="pd-icon-button" aria-pressed={device === d} title={ui[d]} aria-label={ui[d]} onClick={() => pickDevice(d)}>
              <svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
                <path d={DEVICE_ICONS[d]} />
              </svg>
            </button>
          ))}
        </div>
        <div className="pd-canvas" data-testid="designer-canvas" ref={canvasRef} />
      </div>
      <aside className="pd-side">
        <div className="pd-tabs" role="tablist">
          {(["style", "settings", "layers"] as Panel[]).map((p) => (
            <button key={p} type="button" role="tab" aria-selected={panel === p} className="pd-tab" onClick={() => setPanel(p)}>
              {ui[p]}
            </button>
          ))}
        </div>
        {!selected && panel !== "layers" && <p className="pd-empty">{empty[panel]}</p>}
        <div className="pd-panel" role="tabpanel" hidden={panel !== "style" || !selected} ref={styleRef} />
        <div className="pd-panel" role="tabpanel" hidden={panel !== "settings" || !selected} ref={traitsRef} />
        {panel === "settings" && condition && (
          <div className="pd-panel" data-testid="designer-condition-panel">
            <ConditionInput key={condition.id} label={t("conditions.email_block")} value={condition.rule} testId="designer-condition" vertical
              onChange={(rule) => {
                condition.set(rule);
                setCondition({ ...condition, rule });
              }} />
          </div>
        )}
        <div className="pd-panel" role="tabpanel" hidden={panel !== "layers"} ref={layersRef} />
      </aside>
    </div>
  );
}
