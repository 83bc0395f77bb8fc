import "reflect-metadata";
import { ConfigError, loadConfig, SUBGRAPH_NAMES } from "../subgraphs/shared/config";
import { SHUTDOWN_GRACE_MS } from "../subgraphs/shared/http";
import { log } from "../subgraphs/shared/logger";
import { commandLine } from "./lib/command-line";
import { startFederation } from "./lib/federation";
import { closeServiceStores, openServiceStores, type ServiceStores } from "./lib/stores";

/**
 * `npm run start:prod` (compiled: `node dist/scripts/serve.js`): the six subgraphs and the
 * gateway in one process against the configured PostgreSQL, for a single machine. No embedded
 * server, no demo data, no development keys: production configuration or nothing. `npm run migrate`
 * (the privileged step) runs first; here every service connects as its own role. Each service
 * also runs alone (dist/subgraphs/<name>/index.js, dist/gateway/index.js), as the image does.
 */
const USAGE = `usage: npm run start:prod

The compiled federation (npm run build first) in one process, NODE_ENV=production unless set,
against your PostgreSQL (DATABASE_URL, after npm run migrate) and identity provider (JWKS_URL),
with DATABASE_ROLE_SECRET and ASSESSMENT_SECRET: README, "Configuration". Every missing or bad
variable is reported at once, before anything listens. To try it on one machine with stand-ins
for all of these: npm run start:prod:trial.`;

async function main(): Promise<void> {
  commandLine(USAGE);
  process.env.NODE_ENV ??= "production";
  // Everything the six subgraphs and the gateway need, checked before anything opens or listens.
  const config = loadConfig(process.env, { serving: [...SUBGRAPH_NAMES, "gateway"] });
  let services: ServiceStores | undefined;
  let stopping = false;
  try {
    services = await openServiceStores(config);
    const federation = await startFederation(config, services);
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      log("info", "draining", { graceMs: SHUTDOWN_GRACE_MS });
      await federation.stop({ graceMs: SHUTDOWN_GRACE_MS });
      await closeServiceStores(services);
      process.exit(0);
    };
    process.once("SIGINT", () => void stop());
    process.once("SIGTERM", () => void stop());
    log("info", "federation listening", {
      gateway: federation.gateway.url,
      subgraphs: Object.fromEntries(Object.entries(federation.subgraphs).map(([n, s]) => [n, s.url])),
    });
  } catch (error) {
    await closeServiceStores(services).catch(() => undefined);
    throw error;
  }
}

main().catch((error: Error) => {
  // A configuration problem is for a person to read: the list as it is, one variable a line.
  if (error instanceof ConfigError) process.stderr.write(`start:prod: ${error.message}\n`);
  else log("error", "start:prod failed", { error: error.message });
  process.exit(1);
});
