import "../subgraphs/shared/telemetry-register";
import "reflect-metadata";
import cluster from "node:cluster";
import { readFileSync } from "node:fs";
import { Pool } from "pg";
import { governanceAgencyRegistry } from "../subgraphs/shared/access/registry";
import { createTokenVerifier, keepRegistryFresh } from "../subgraphs/shared/auth";
import { announceConnectionBudget, GATEWAY_REGISTRY_POOL_SIZE } from "../subgraphs/shared/connection-budget";
import { Sql } from "../subgraphs/shared/database";
import { governanceAccessDatabaseUrl } from "../subgraphs/shared/database-roles";
import { loadConfig, type Config } from "../subgraphs/shared/config";
import { SHUTDOWN_GRACE_MS } from "../subgraphs/shared/http";
import { keepServiceRunning } from "../subgraphs/shared/faults";
import { log } from "../subgraphs/shared/logger";
import { stopTelemetry } from "../subgraphs/shared/telemetry";
import { createGatewayServer } from "./server";
import { SUPERGRAPH_FILE } from "./supergraph";

/** One gateway serving the committed supergraph. */
async function serve(config: Config): Promise<void> {
  // Tokens are accepted only for registered, active agencies, which governance's store lists.
  // Read with the access role, which may read the agencies (and little else).
  const governanceUrl = governanceAccessDatabaseUrl(config);
  if (!governanceUrl)
    throw new Error(
      "set GOVERNANCE_ACCESS_DATABASE_URL (or DATABASE_URL or GOVERNANCE_DATABASE_URL): the registered agencies tokens are checked against",
    );
  const registryPool = new Pool({ connectionString: governanceUrl, max: GATEWAY_REGISTRY_POOL_SIZE });
  // An idle connection dropped by the server is an 'error' event; the pool replaces it, and
  // meanwhile tokens are checked against the list last verified.
  registryPool.on("error", (error) => log("warn", "governance connection lost", { error: error.message }));
  await announceConnectionBudget(config, ["gateway"], registryPool);
  // No store of its own: the list last verified is kept in memory, through an outage of any length.
  const registry = governanceAgencyRegistry(new Sql(registryPool), { ttlMs: config.AGENCY_REGISTRY_TTL_MS });
  const stopRefreshing = keepRegistryFresh(registry, config.AGENCY_REGISTRY_TTL_MS);
  const gateway = await createGatewayServer({
    config,
    verify: await createTokenVerifier(config, registry),
    registry,
    supergraphSdl: readFileSync(process.env.SUPERGRAPH_PATH ?? SUPERGRAPH_FILE, "utf8"),
  });
  const running = await gateway.listen(config.port("gateway"));
  log("info", "gateway listening", { url: running.url, worker: cluster.worker?.id ?? null });
  // Only once it serves: a gateway that cannot start must still exit with an error.
  keepServiceRunning("gateway");
  // In-flight requests finish first (SIGTERM from an orchestrator rolling the gateway).
  const stop = () =>
    void running
      .stop({ graceMs: SHUTDOWN_GRACE_MS })
      .then(() => stopRefreshing())
      .then(() => registryPool.end())
      .then(stopTelemetry)
      .then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/**
 * GATEWAY_WORKERS processes sharing the port, for a machine with cores to spare: the primary
 * only forks and stops them. A worker that dies takes the gateway down with it, so that whatever
 * supervises the gateway sees the failure rather than a quietly smaller pool.
 */
function superviseWorkers(workers: number): void {
  let stopping = false;
  const stopAll = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
    // With none left (the last one just exited), the primary is done: exit code as set.
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
  };
  cluster.on("exit", (worker, code, signal) => {
    if (!stopping) {
      log("error", "gateway worker exited", { worker: worker.id, code, signal });
      process.exitCode = 1;
    }
    stopAll();
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  process.once("SIGINT", stopAll);
  process.once("SIGTERM", stopAll);
}

function main(): void {
  let config: Config;
  try {
    config = loadConfig(process.env, { serving: ["gateway"] });
  } catch (error) {
    // For a person to read: every problem, one variable a line.
    process.stderr.write(`gateway: ${(error as Error).message}\n`);
    process.exit(1);
  }
  if (cluster.isPrimary && config.GATEWAY_WORKERS > 1) return superviseWorkers(config.GATEWAY_WORKERS);
  serve(config).catch((error: Error) => {
    log("error", "gateway failed to start", { error: error.message });
    process.exit(1);
  });
}

main();
