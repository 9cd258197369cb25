import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = process.env.PARCOURS_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { "/api": api, "/health": api, "/schema": api },
  },
  build: { chunkSizeWarningLimit: 1500 },
});
