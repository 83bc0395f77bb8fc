import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { SUBGRAPHS } from "../../subgraphs";
import { loadConfig, SUBGRAPH_NAMES, type Config, type SubgraphName } from "../../subgraphs/shared/config";
import { Pool } from "pg";
import { GATEWAY_REGISTRY_POOL_SIZE } from "../../subgraphs/shared/connection-budget";
import { log } from "../../subgraphs/shared/logger";
import { faultMetrics } from "../../subgraphs/shared/metrics";
import { openServiceStore, openStore, type SubgraphStore } from "../../subgraphs/shared/database";
import {
  assertLeastPrivilege,
  AUDITING_SUBGRAPHS,
  governanceAccessDatabaseUrl,
  type AuditingSubgraph,
  serviceDatabaseUrl,
} from "../../subgraphs/shared/database-roles";
import {
  commandLineOf,
  embeddedOwner,
  embeddedUrl,
  portInUse,
  postmasterOf,
  startEmbeddedPostgres,
  stopOrphanedServer,
  type EmbeddedServer,
} from "./embedded-postgres";

export type Stores = Record<SubgraphName, SubgraphStore>;

export interface DatabaseServerOptions {
  /**
   * `npm start`: the server must be its own (it stops it on Ctrl-C), so one left by a crashed run
   * is stopped and started afresh, and one in use by another command is an error. Otherwise (seed,
   * audit:verify, import:police-uk) a running server, the demo's or any, is used as it is.
   */
  demo?: boolean;
  /** A tool that only reads: no server is initialised when there is none yet. */
  mustExist?: boolean;
  /** The caller stops the server on SIGINT/SIGTERM itself. */
  ownSignals?: boolean;
}

/**
 * With no database configured, a real PostgreSQL from the embedded-postgres package runs
 * in a local folder on its own port (user and password postgres); otherwise the configured
 * server is used.
 */
export async function databaseServerFor(
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
  options: DatabaseServerOptions = {},
): Promise<{ config: Config; embedded?: EmbeddedServer }> {
  const config = loadConfig(env);
  if (SUBGRAPH_NAMES.some((name) => config.databaseUrl(name))) return { config };
  const dir = config.EMBEDDED_PG_DIR;
  const port = config.EMBEDDED_PG_PORT;
  const withServer = (url: string) => loadConfig({ ...env, DATABASE_URL: url });
  const postmaster = postmasterOf(dir);
  if (postmaster?.running) {
    const owner = embeddedOwner(dir);
    if (!options.demo) {
      log(
        `No DATABASE_URL set: using the embedded PostgreSQL running in ${dir} on 127.0.0.1:${postmaster.port}`,
      );
      return { config: withServer(embeddedUrl(postmaster.port)) };
    }
    if (owner !== undefined) {
      const command = commandLineOf(owner);
      throw new Error(
        `The embedded PostgreSQL in ${dir} is in use by another command (pid ${owner}${command ? `: ${command}` : ""}). ` +
          "Wait for it to finish (or stop it), then run npm start again.",
      );
    }
    log(
      `The embedded PostgreSQL (pid ${postmaster.pid}) was left running by an earlier run that did not stop cleanly: stopping it.`,
    );
    await stopOrphanedServer(dir, postmaster);
  }
  if (postmaster && !postmaster.running) {
    // Left by a server that died with its machine or a kill -9; its pid may now be another program's,
    // which PostgreSQL would take for a live server and refuse to start.
    rmSync(resolve(dir, "postmaster.pid"), { force: true });
    log(`Removed a stale ${join(dir, "postmaster.pid")} (no PostgreSQL runs as pid ${postmaster.pid}).`);
  }
  if (options.mustExist && !existsSync(resolve(dir, "PG_VERSION"))) {
    throw new Error(
      `No DATABASE_URL set and no demo database in ${dir} yet: run npm start (or npm run seed) first, or set DATABASE_URL.`,
    );
  }
  if (await portInUse(port)) {
    throw new Error(
      `Port ${port} is in use by another program, so the embedded PostgreSQL cannot start there: ` +
        `stop that program, or set EMBEDDED_PG_PORT to a free port (or DATABASE_URL to a server of yours).`,
    );
  }
  log(
    `No DATABASE_URL set: starting embedded PostgreSQL in ${dir} on 127.0.0.1:${port} (user postgres, password postgres)`,
  );
  const embedded = await startEmbeddedPostgres({ dir, port, ownSignals: options.ownSignals });
  return { config: withServer(embedded.url), embedded };
}

/**
 * The privileged migration step: opens every subgraph's own database as the migrator (creating
 * and migrating as needed, which creates the roles) and sets the services' role passwords. The
 * stores it returns are for the seed and the importer, never for serving.
 */
export async function openAllStores(config: Config, options: { poolSize?: number } = {}): Promise<Stores> {
  return openStores(config, SUBGRAPH_NAMES, options);
}

/** The same, for some subgraphs only (a tool that needs no others needs no URLs for them). */
export async function openStores<N extends SubgraphName>(
  config: Config,
  names: readonly N[],
  options: { poolSize?: number } = {},
): Promise<Record<N, SubgraphStore>> {
  const entries = await Promise.all(
    names.map(async (name) => {
      const url = config.databaseUrl(name);
      if (!url) throw new Error(`${name}: no database URL configured`);
      return [
        name,
        await openStore(SUBGRAPHS[name], url, {
          poolSize: options.poolSize ?? config.DATABASE_POOL_SIZE,
          roles: config,
        }),
      ] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<N, SubgraphStore>;
}

/** What the services connect with: each its own role, and its own login into governance. */
export interface ServiceStores {
  stores: Stores;
  /** The access role on the governance database: the access facts only (the registered agencies). */
  governanceAccess: Pool;
  /** Each other subgraph's login into governance: the access facts, and `audit_append` of its own records. */
  agencyAccess: Record<AuditingSubgraph, Pool>;
}

/** A pool on the governance database whose lost idle connections are noted, not fatal. */
function governancePool(url: string, max: number): Pool {
  const pool = new Pool({ connectionString: url, max });
  // An idle connection dropped by the server is an 'error' event: the pool replaces it.
  pool.on("error", (error) => {
    faultMetrics.connectionsLost.inc({ where: "idle" });
    log("warn", "governance connection lost", { error: error.message });
  });
  return pool;
}

/**
 * Opens every service's store as its own role (after the migration step has run), its pools
 * sized as the services' own (shared/connection-budget.ts), or as a job's when `poolSizes` says.
 */
export async function openServiceStores(
  config: Config,
  poolSizes: { store: number; access: number; registry: number } = {
    store: config.DATABASE_POOL_SIZE,
    access: config.GOVERNANCE_POOL_SIZE,
    registry: GATEWAY_REGISTRY_POOL_SIZE,
  },
): Promise<ServiceStores> {
  const accessUrl = governanceAccessDatabaseUrl(config);
  if (!accessUrl) throw new Error("governance: no database URL configured for the access role");
  const agencyUrls = AUDITING_SUBGRAPHS.map((name) => {
    const url = governanceAccessDatabaseUrl(config, name);
    if (!url) throw new Error(`${name}: set ${name.toUpperCase()}_GOVERNANCE_ACCESS_DATABASE_URL`);
    return [name, url] as const;
  });
  const opened: Partial<Stores> = {};
  try {
    for (const name of SUBGRAPH_NAMES) {
      const url = serviceDatabaseUrl(config, name);
      if (!url) throw new Error(`${name}: no database URL configured`);
      opened[name] = await openServiceStore(SUBGRAPHS[name], url, { poolSize: poolSizes.store });
    }
  } catch (error) {
    await closeAllStores(opened);
    throw error;
  }
  const governanceAccess = governancePool(accessUrl, poolSizes.registry);
  const agencyAccess = Object.fromEntries(
    agencyUrls.map(([name, url]) => [name, governancePool(url, poolSizes.access)]),
  ) as Record<AuditingSubgraph, Pool>;
  const pools = [governanceAccess, ...Object.values(agencyAccess)];
  try {
    await assertLeastPrivilege(governanceAccess, "governance access");
    for (const [name, pool] of Object.entries(agencyAccess))
      await assertLeastPrivilege(pool, `${name} (governance access)`);
  } catch (error) {
    await Promise.all([closeAllStores(opened), ...pools.map((p) => p.end())]);
    throw error;
  }
  return { stores: opened as Stores, governanceAccess, agencyAccess };
}

export async function closeServiceStores(services: ServiceStores | undefined): Promise<void> {
  if (!services) return;
  await Promise.all([
    closeAllStores(services.stores),
    services.governanceAccess.end(),
    ...Object.values(services.agencyAccess).map((p) => p.end()),
  ]);
}

export async function closeAllStores(stores: Partial<Stores>): Promise<void> {
  await Promise.all(Object.values(stores).map((s) => s?.close()));
}
