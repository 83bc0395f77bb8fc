// `npm run build:ts`: compiles the services and scripts to dist/ with tsc (decorator metadata
// included), then copies what they read at run time: the committed supergraph and the demo data.
// Plain JavaScript so that it runs before anything is compiled.
const { execFileSync } = require("node:child_process");
const { cpSync, rmSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const dist = join(root, "dist");

// A stale file from an older build (a deleted module, a renamed migration) must not ship.
rmSync(dist, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")],
  {
    stdio: "inherit",
  },
);
// Paths in the code are relative to the compiled file, so dist/ mirrors the source layout.
cpSync(join(root, "schema"), join(dist, "schema"), { recursive: true });
cpSync(join(root, "data"), join(dist, "data"), { recursive: true });
// The partnership console's static files, which the gateway serves at /console.
execFileSync(
  process.execPath,
  [
    join(root, "node_modules", "vite", "bin", "vite.js"),
    "build",
    "--logLevel",
    "warn",
    "--config",
    join(root, "console", "vite.config.mts"),
  ],
  { stdio: "inherit", cwd: root, env: { ...process.env, CONSOLE_OUT_DIR: join(dist, "console") } },
);
process.stdout.write("Built dist/ (services, scripts, schema/, data/, console/)\n");
