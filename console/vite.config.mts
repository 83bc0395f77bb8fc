import react from "@vitejs/plugin-react";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = dirname(fileURLToPath(import.meta.url));
/** GOV.UK Frontend's fonts and images, which its CSS asks for at /assets/...: bundled as our own files. */
const govukAssets = join(here, "..", "node_modules", "govuk-frontend", "dist", "govuk", "assets");

export default defineConfig({
  root: here,
  // The gateway serves the build at /console.
  base: "/console/",
  plugins: [react()],
  resolve: { alias: [{ find: /^\/assets\/(fonts|images)\//, replacement: `${govukAssets}/$1/` }] },
  build: {
    outDir: process.env.CONSOLE_OUT_DIR ?? join(here, "build"),
    emptyOutDir: true,
    // The gateway serves a folder only when it holds a build (its manifest), never the sources.
    manifest: true,
    // No data: URLs for fonts (font-src 'self') and no inline polyfill script (script-src 'self').
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
});
