import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const api = process.env.PARCOURS_API ?? "http://127.0.0.1:8000";

/** The ALTCHA widget for public forms, shipped as dist/guard/altcha.js (served by the API at
 * /guard/altcha.js): the npm package's self-contained build, with its French words. */
function altchaWidget(): Plugin {
  return {
    name: "parcours-altcha-widget",
    apply: "build",
    generateBundle() {
      const dist = join(dirname(fileURLToPath(import.meta.url)), "node_modules", "altcha", "dist");
      const source = [
        readFileSync(join(dist, "main", "altcha.umd.min.cjs"), "utf8"),
        readFileSync(join(dist, "i18n", "fr-fr.umd.cjs"), "utf8"),
      ].join(";\n");
      this.emitFile({ type: "asset", fileName: "guard/altcha.js", source });
    },
  };
}

export default defineConfig({
  plugins: [react(), altchaWidget()],
  server: {
    proxy: { "/api": api, "/health": api, "/schema": api, "/guard": api },
  },
  build: { chunkSizeWarningLimit: 1500 },
});
