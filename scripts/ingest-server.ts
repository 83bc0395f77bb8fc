import "reflect-metadata";
import { join } from "node:path";
import { loadConfig, SUBGRAPH_NAMES } from "../subgraphs/shared/config";
import { INGEST_SUBGRAPHS } from "../subgraphs/shared/database-roles";
import { keepServiceRunning } from "../subgraphs/shared/faults";
import { SHUTDOWN_GRACE_MS } from "../subgraphs/shared/http";
import { log } from "../subgraphs/shared/logger";
import { commandLine } from "./lib/command-line";
import { startIngestService } from "./lib/ingest-server";
import { databaseServerFor } from "./lib/stores";

const USAGE = `usage: npm run ingest:serve

Serves POST /agencies/<agency>/imports?mapping=<name>&file=<name>[&dryRun=true][&rejects=true]
for an agency's own system to push an export (the file as the body, text/csv or
application/x-ndjson), loaded as \`npm run ingest\` loads it (README, "Pushing an export over HTTP").
Only a data-sharing officer's token of that agency may push; mappings are the service's own:
  INGEST_MAPPINGS_DIR        <dir>/<agency>/<name>.json (default outside production: examples/ingest)
  INGEST_PORT                its port (default 4010); HOST its interface (default 127.0.0.1)
  INGEST_BODY_LIMIT_BYTES    the largest file a push may send (default 50000000)
  INGEST_JWT_AUDIENCE        the token audience it accepts (default JWT_AUDIENCE)
Databases: <AGENCY>_INGEST_DATABASE_URL, PARTNERSHIP_INGEST_DATABASE_URL and
GOVERNANCE_INGEST_DATABASE_URL (the ingest roles: records, the people index, the audit of its links),
and GOVERNANCE_ACCESS_DATABASE_URL (registered agencies); or DATABASE_URL, from which they are derived;
with none, the demo's embedded database (run npm start first). It does not migrate.`;

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  commandLine(USAGE, { options: {} });
  let config = loadConfig(process.env);
  let stopEmbedded: (() => Promise<void>) | undefined;
  const given = (name: string) => Boolean(process.env[name]);
  const anyDatabase =
    SUBGRAPH_NAMES.some((name) => config.databaseUrl(name)) ||
    INGEST_SUBGRAPHS.some((name) => given(`${name.toUpperCase()}_INGEST_DATABASE_URL`));
  if (!anyDatabase && config.NODE_ENV !== "production") {
    // The demo's database (npm start made it): the running server, or started for this service.
    const server = await databaseServerFor(process.env, say, { mustExist: true, ownSignals: true });
    config = server.config;
    stopEmbedded = server.embedded ? () => server.embedded!.stop() : undefined;
  }
  let running;
  try {
    running = await startIngestService(config, { root: join(__dirname, "..") });
  } catch (error) {
    await stopEmbedded?.();
    throw error;
  }
  keepServiceRunning("ingest");
  say(`Ingest service listening on http://${config.HOST}:${running.port}`);
  for (const [agency, names] of Object.entries(running.served))
    say(`  POST /agencies/${agency}/imports?mapping=<${names.join("|")}>&file=<name>`);
  const stop = () =>
    void running
      .stop({ graceMs: SHUTDOWN_GRACE_MS })
      .then(() => stopEmbedded?.())
      .then(
        () => {
          say("Stopped.");
          process.exit(0);
        },
        (error: Error) => {
          log("error", "ingest service did not stop cleanly", { error: error.message });
          process.exit(1);
        },
      );
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: Error) => {
  process.stderr.write(`ingest:serve: ${error.message}\n`);
  process.exit(1);
});
