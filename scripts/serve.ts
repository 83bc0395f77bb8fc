import "reflect-metadata";
import { loadConfig, SUBGRAPH_NAMES } from "../subgraphs/shared/config";
import { SHUTDOWN_GRACE_MS } from "../subgraphs/shared/http";
import { log } from "../subgraphs/shared/logger";
import { startFederation } from "./lib/federation";
import { closeServiceStores, openServiceStores, type ServiceStores } from "./lib/stores";

/**
 * `npm run start:prod` (compiled: `node dist/scripts/serve.js`): the six subgraphs and the
 * gateway in one process against the configured PostgreSQL, for a single machine. No embedded
 * server, no demo data, no development keys: production configuration or nothing. `npm run migrate`
 * (the privileged step) runs first; here every service connects as its own role. Each service
 * also runs alone (dist/subgraphs/<name>/index.js, dist/gateway/index.js), as the image does.
 */
async function main(): Promise<void> {
  process.env.NODE_ENV ??= "production";
  const config = loadConfig();
  if (!SUBGRAPH_NAMES.every((name) => config.databaseUrl(name))) {
    throw new Error("set DATABASE_URL (or every <NAME>_DATABASE_URL): start:prod runs no embedded database");
  }
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
  log("error", "start:prod failed", { error: error.message });
  process.exit(1);
});
