import { createTokenVerifier, keepRegistryFresh } from "./auth";
import { loadConfig, type Config } from "./config";
import { Pool } from "pg";
import type { PolicyStore } from "./access/guard";
import type { KeptAgencyRegistry, KeptRegistryStore } from "./auth";
import { announceConnectionBudget } from "./connection-budget";
import { openServiceStore, Sql } from "./database";
import { assertLeastPrivilege, governanceAccessDatabaseUrl, serviceDatabaseUrl } from "./database-roles";
import { isConnectionFault, keepServiceRunning } from "./faults";
import { log } from "./logger";
import { keptRegistryIn } from "./kept-registry";
import { faultMetrics } from "./metrics";
import { stopTelemetry } from "./telemetry";
import { createSubgraphServer, type SubgraphDefinition } from "./subgraph";
import { SHUTDOWN_GRACE_MS, type RunningService } from "./http";

/**
 * What every subgraph needs from the governance store, handed in (access/governance-adapter.ts, or
 * a test's own): where the access rules get agreements and consents and append the audit, and the
 * registered agencies tokens are checked against.
 */
export interface GovernanceAdapter {
  policyStore(governanceSql: Sql): PolicyStore;
  agencyRegistry(
    governanceSql: Sql,
    options: { ttlMs: number; kept?: KeptRegistryStore },
  ): KeptAgencyRegistry;
}

/**
 * Opens the subgraph's store as its own least-privileged role and starts it listening on its
 * configured port. It does not migrate: the privileged migration step (`npm run migrate`) has.
 */
export async function startSubgraph<L>(
  definition: SubgraphDefinition<L>,
  config: Config,
  port: number,
  governance: GovernanceAdapter,
): Promise<RunningService> {
  const name = definition.name.toUpperCase();
  const url = serviceDatabaseUrl(config, definition.name);
  if (!url) {
    throw new Error(
      `${definition.name}: set ${name}_SERVICE_DATABASE_URL (or DATABASE_URL or ${name}_DATABASE_URL)`,
    );
  }
  // Each subgraph appends its own records to the audit, known by its own login into governance.
  const governanceUrl =
    definition.name === "governance" ? url : governanceAccessDatabaseUrl(config, definition.name);
  if (!governanceUrl) {
    throw new Error(
      `${definition.name}: set ${name}_GOVERNANCE_ACCESS_DATABASE_URL (or DATABASE_URL or GOVERNANCE_DATABASE_URL): agreements, consents, audit`,
    );
  }
  const store = await openServiceStore(definition, url, { poolSize: config.DATABASE_POOL_SIZE });
  // Decisions and the audit need the governance store; governance itself uses its own pool.
  const governancePool =
    definition.name === "governance"
      ? undefined
      : new Pool({ connectionString: governanceUrl, max: config.GOVERNANCE_POOL_SIZE });
  // An idle connection dropped by the server (a restart, a failover) is an 'error' event; with no
  // listener it would crash the process. The pool replaces it; requests meanwhile fail closed.
  governancePool?.on("error", (error) => {
    faultMetrics.connectionsLost.inc({ where: "idle" });
    log("warn", "governance connection lost", { subgraph: definition.name, error: error.message });
  });
  if (governancePool) {
    try {
      await assertLeastPrivilege(governancePool, `${definition.name} (governance access)`);
    } catch (error) {
      if (!isConnectionFault(error)) {
        await Promise.all([store.close(), governancePool.end()]);
        throw error;
      }
      // Governance out: the service starts on the registry it kept, and checks the role once
      // governance answers (nothing of another agency is released before then anyway).
      log("warn", "governance unreachable at start: its access role is checked once it answers", {
        subgraph: definition.name,
        error: (error as Error).message,
      });
      checkWhenReachable(governancePool, definition.name);
    }
  }
  await announceConnectionBudget(config, [definition.name], store.sql.pool);
  const policySql = governancePool ? new Sql(governancePool) : store.sql;
  // Governance's own store is the registry: only the others keep a copy, in their own store
  // (through an Sql of its own, so that its writes count as no request's statements).
  const registry = governance.agencyRegistry(policySql, {
    ttlMs: config.AGENCY_REGISTRY_TTL_MS,
    kept: governancePool ? keptRegistryIn(new Sql(store.sql.pool)) : undefined,
  });
  // Read now, so that /ready shows the registry in use from the start (the kept one, should
  // governance be out), and then every TTL; refused tokens are the requests' business.
  void registry().catch(() => undefined);
  const stopRefreshing = keepRegistryFresh(registry, config.AGENCY_REGISTRY_TTL_MS);
  const server = await createSubgraphServer(definition, {
    config,
    store,
    // A subgraph accepts the case review count service's tokens too (the gateway never does).
    verify: await createTokenVerifier(config, registry, { acceptServiceTokens: true }),
    registry,
    policy: governance.policyStore(policySql),
    policySql,
  });
  const running = await server.listen(port);
  log("info", "subgraph listening", { subgraph: definition.name, url: running.url });
  const stopBackground = definition.background?.({ sql: store.sql, governanceSql: policySql, config });
  return {
    ...running,
    stop: async (options) => {
      stopBackground?.();
      stopRefreshing();
      await running.stop(options);
      await store.close();
      await governancePool?.end();
    },
  };
}

/**
 * The least-privilege check of the governance access role, tried again until governance answers;
 * a role with more than it needs stops the service, as it would have at start.
 */
function checkWhenReachable(pool: Pool, subgraph: string): void {
  const retry = setInterval(() => {
    assertLeastPrivilege(pool, `${subgraph} (governance access)`).then(
      () => clearInterval(retry),
      (error: Error) => {
        if (isConnectionFault(error)) return;
        log("error", "subgraph stopped", { subgraph, error: error.message });
        process.exit(1);
      },
    );
  }, 2_000);
  retry.unref();
}

/** Entry point of a subgraph run as its own process (`node subgraphs/<name>/index.ts`). */
export function runSubgraphProcess<L>(
  definition: SubgraphDefinition<L>,
  governance: GovernanceAdapter,
): void {
  let config: Config;
  try {
    config = loadConfig(process.env, { serving: [definition.name] });
  } catch (error) {
    // For a person to read: every problem, one variable a line.
    process.stderr.write(`${definition.name}: ${(error as Error).message}\n`);
    process.exit(1);
  }
  startSubgraph(definition, config, config.port(definition.name), governance).then(
    (running) => {
      // Only once it serves: a service that cannot start must still exit with an error.
      keepServiceRunning(definition.name);
      // In-flight requests finish before the pools close (SIGTERM from an orchestrator).
      const stop = () =>
        void running
          .stop({ graceMs: SHUTDOWN_GRACE_MS })
          .then(stopTelemetry)
          .then(() => process.exit(0));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    },
    (error: Error) => {
      log("error", "subgraph failed to start", { subgraph: definition.name, error: error.message });
      process.exit(1);
    },
  );
}
