// The asset library in a GrapesJS designer's image picker: each time the picker opens, the library's
// images are listed in it, so that an image is reused rather than uploaded again. Shared by every
// designer built on GrapesJS (emails, landing pages): call it once after `grapesjs.init`.
import type { Editor } from "grapesjs";

export interface LibraryImage {
  src: string;
  name: string;
  width?: number;
  height?: number;
}

export function connectAssetLibrary(editor: Editor, load: () => Promise<LibraryImage[]>): void {
  let alive = true;
  editor.on("destroy", () => {
    alive = false;
  });
  const refresh = async () => {
    const images = await load().catch(() => [] as LibraryImage[]); // the picker still offers uploads
    if (!alive) return;
    const manager = editor.AssetManager;
    const fresh = images.filter((image) => !manager.get(image.src));
    // Newest first, as in the library; those uploaded from this designer are already there.
    if (fresh.length) manager.add(fresh.map((image) => ({ ...image, type: "image" })));
  };
  editor.on("command:run:before:open-assets", () => void refresh());
  // GrapesJS's file field in the picker has no name of its own: it is named by its drop zone's words.
  editor.on("asset:open", () =>
    window.setTimeout(() => {
      const input = document.getElementById("gjs-am-uploadFile");
      if (input && !input.getAttribute("aria-label")) input.setAttribute("aria-label", editor.I18n.t("assetManager.uploadTitle"));
    }),
  );
}
