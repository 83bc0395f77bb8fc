import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { packageDir } from "../../gateway/graphiql";

const ROOT = join(__dirname, "..", "..");
export const CONSOLE_SOURCE = join(ROOT, "console");
/** Where the gateway finds the console when run from the sources (see gateway/console.ts). */
export const CONSOLE_BUILD = join(ROOT, "console", "build");

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Whether the build in `outDir` is older than any of the console's sources (or missing). */
export function consoleBuildIsStale(outDir = CONSOLE_BUILD): boolean {
  const manifest = join(outDir, ".vite", "manifest.json");
  if (!existsSync(manifest)) return true;
  const built = statSync(manifest).mtimeMs;
  return ["src", "index.html", "vite.config.mts"].some((p) => newest(join(CONSOLE_SOURCE, p)) > built);
}

/** `vite build` of the console into `outDir` (console/build by default): static files, no CDN. */
export function buildConsole(outDir = CONSOLE_BUILD, stdio: "inherit" | "pipe" = "inherit"): void {
  execFileSync(
    process.execPath,
    [
      join(packageDir("vite"), "bin", "vite.js"),
      "build",
      "--config",
      join(CONSOLE_SOURCE, "vite.config.mts"),
    ],
    { cwd: ROOT, stdio, env: { ...process.env, CONSOLE_OUT_DIR: outDir } },
  );
}

/**
 * Builds the console when its sources changed since the last build: npm start and the browser
 * tests. Built beside it and moved into place, so that a gateway serving the old build (or
 * another start building at the same time) never sees a half-written folder.
 */
export function ensureConsoleBuilt(
  say: (message: string) => void = () => undefined,
  outDir = CONSOLE_BUILD,
): void {
  if (!consoleBuildIsStale(outDir)) return;
  say("Building the console (vite build)…");
  const fresh = `${outDir}.${process.pid}-${Date.now()}`;
  try {
    buildConsole(fresh, "pipe");
    rmSync(outDir, { recursive: true, force: true });
    renameSync(fresh, outDir);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}
