import { resolve } from "node:path";
import { Client } from "pg";
import { SUBGRAPH_NAMES, loadConfig, type Config, type SubgraphName } from "../subgraphs/shared/config";
import { seedDemoPartnership } from "../scripts/lib/demo";
import { dropDatabase } from "../subgraphs/shared/database";
import { startEmbeddedPostgres, type EmbeddedServer } from "../scripts/lib/embedded-postgres";
import { closeAllStores, openAllStores, type Stores } from "../scripts/lib/stores";

export const BENCH_DIR = __dirname;
export const BENCH_PG_DIR = resolve(BENCH_DIR, ".cache", "postgres");
export const BENCH_PG_PORT = 54400;
export const BENCH_DATABASE_PREFIX = "bench";
export const BENCH_SEED = 42;
/** The huge seed's databases (`bench_huge_<subgraph>`), beside the large seed's on the same server. */
export const BENCH_HUGE_PREFIX = "bench_huge";
export type BenchScale = "large" | "huge";
export const BENCH_SCALES: Record<BenchScale, { prefix: string; label: string }> = {
  large: { prefix: BENCH_DATABASE_PREFIX, label: "1M incidents, 100k people" },
  huge: { prefix: BENCH_HUGE_PREFIX, label: "10M incidents, 1M people" },
};

/**
 * Server settings for the bench's own embedded cluster. Twelve subgraph processes, each with a
 * pool on its own store and one on governance, need more than PostgreSQL's default 100
 * connections; the large seed's hot indexes fit in 1 GB of shared buffers.
 */
const EMBEDDED_SETTINGS: Record<string, string> = {
  max_connections: "400",
  shared_buffers: "1GB",
  // Where PostgreSQL's time goes, statement by statement, for the report's detail.
  shared_preload_libraries: "pg_stat_statements",
  "pg_stat_statements.track_planning": "on",
};

export interface BenchDatabase {
  /** The server URL (its `postgres` database); subgraphs derive `bench_<name>` from it. */
  serverUrl: string;
  embedded: boolean;
  config: Config;
  stop(): Promise<void>;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Applies EMBEDDED_SETTINGS; returns true when the server must restart for them to hold. */
async function applySettings(url: string): Promise<boolean> {
  return withClient(url, async (client) => {
    let restart = false;
    for (const [name, value] of Object.entries(EMBEDDED_SETTINGS)) {
      const { rows } = await client.query<{ setting: string; unit: string | null }>(
        "SELECT setting, unit FROM pg_settings WHERE name = $1",
        [name],
      );
      const current = rows[0];
      const wanted = name === "shared_buffers" ? String((1024 * 1024) / 8) : value; // 8 kB pages
      if (current?.setting === wanted) continue;
      await client.query(`ALTER SYSTEM SET ${name} = '${value}'`);
      restart = true;
    }
    return restart;
  });
}

/**
 * The statements that took most of PostgreSQL's time since the last call (execution and
 * planning), or null when the server has no pg_stat_statements. Resets the counters.
 */
export async function takeStatementStats(
  serverUrl: string,
  top = 8,
): Promise<{ query: string; calls: number; totalMs: number; meanMs: number }[] | null> {
  return withClient(serverUrl, async (client) => {
    try {
      await client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      const { rows } = await client.query<{ query: string; calls: string; total: number }>(
        `SELECT query, calls, total_exec_time + total_plan_time AS total
           FROM pg_stat_statements ORDER BY total DESC LIMIT $1`,
        [top],
      );
      await client.query("SELECT pg_stat_statements_reset()");
      return rows.map((r) => ({
        query: r.query.replace(/\s+/g, " ").slice(0, 300),
        calls: Number(r.calls),
        totalMs: Math.round(r.total),
        meanMs: Math.round((r.total / Math.max(1, Number(r.calls))) * 1000) / 1000,
      }));
    } catch {
      // Not preloaded on this server (a DATABASE_URL the bench does not manage).
      return null;
    }
  });
}

/**
 * DATABASE_URL when set, else the bench's own embedded PostgreSQL (bench/.cache/postgres on
 * port 54400); databases `bench_<subgraph>`, migrated, seeded at the large scale once (the
 * demo_seed marker makes later runs reuse it) and analysed.
 */
export async function prepareBenchDatabase(options: {
  skipSeed: boolean;
  log: (message: string) => void;
}): Promise<BenchDatabase> {
  const { log } = options;
  let server: EmbeddedServer | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    log(`No DATABASE_URL: embedded PostgreSQL in ${BENCH_PG_DIR} on port ${BENCH_PG_PORT}`);
    server = await startEmbeddedPostgres({ dir: BENCH_PG_DIR, port: BENCH_PG_PORT });
    if (await applySettings(server.url)) {
      log(`  applying ${JSON.stringify(EMBEDDED_SETTINGS)}: restarting it`);
      await server.stop();
      server = await startEmbeddedPostgres({ dir: BENCH_PG_DIR, port: BENCH_PG_PORT });
    }
    serverUrl = server.url;
  } else {
    const [row] = await withClient(serverUrl, async (c) => (await c.query("SHOW max_connections")).rows);
    if (Number(row.max_connections) < 300)
      log(
        `warning: max_connections is ${row.max_connections}; the bench's 12 subgraph processes may open up to 240 connections`,
      );
  }
  const embedded = server;
  const stop = async () => {
    await embedded?.stop();
  };
  try {
    const config = await seedScale(serverUrl, "large", options);
    return { serverUrl, embedded: !!embedded, config, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/**
 * Secondary indexes of a database (not unique: ON CONFLICT needs those; not behind a constraint),
 * as CREATE INDEX statements.
 */
async function secondaryIndexes(
  sql: Stores[SubgraphName]["sql"],
): Promise<{ name: string; definition: string }[]> {
  return sql.many<{ name: string; definition: string }>(
    `SELECT i.indexname AS name, i.indexdef AS definition
       FROM pg_indexes i
      WHERE i.schemaname = 'public'
        AND i.indexdef NOT LIKE 'CREATE UNIQUE INDEX%'
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
}

/**
 * One scale's databases (`<prefix>_<subgraph>`), migrated and seeded once (the demo_seed marker
 * makes later runs reuse them) and analysed. The huge seed is loaded without its secondary
 * indexes, which are built once the rows are in (much faster than keeping them up to date row by
 * row); the seeders' own lookups go by primary keys, which stay.
 */
export async function seedScale(
  serverUrl: string,
  scale: BenchScale,
  options: { skipSeed: boolean; log: (message: string) => void },
): Promise<Config> {
  const { log } = options;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: serverUrl,
    DATABASE_PREFIX: BENCH_SCALES[scale].prefix,
    // Only the harness's own connections here; the services size their own pools.
    DATABASE_POOL_SIZE: "4",
  });
  let stores = await openAllStores(config);
  if (scale === "huge" && !options.skipSeed) {
    // A huge seed left half-way (interrupted, or failed) is started afresh: its seeders write
    // without clearing first, and the later ones take what the earlier ones return.
    const marks = await Promise.all(
      SUBGRAPH_NAMES.map((name) => stores[name].sql.one("SELECT 1 AS seeded FROM demo_seed LIMIT 1")),
    );
    if (marks.some(Boolean) && !marks.every(Boolean)) {
      log("The huge seed was left incomplete: dropping its databases to start again");
      await closeAllStores(stores);
      for (const name of SUBGRAPH_NAMES) await dropDatabase(config.databaseUrl(name)!);
      stores = await openAllStores(config);
    }
  }
  try {
    if (options.skipSeed) {
      log(`--skip-seed: using the ${scale} bench databases as they are`);
    } else {
      const seeded = await stores.police.sql.one("SELECT 1 AS seeded FROM demo_seed LIMIT 1");
      if (scale === "huge" && !seeded) {
        for (const name of SUBGRAPH_NAMES) {
          if (await stores[name].sql.one("SELECT 1 AS seeded FROM demo_seed LIMIT 1")) continue;
          for (const index of await secondaryIndexes(stores[name].sql))
            await stores[name].sql.exec(`DROP INDEX "${index.name}"`);
        }
      }
      const started = Date.now();
      const { seeded: done } = await seedDemoPartnership(stores, {
        seed: BENCH_SEED,
        scale,
        log: (m) => log(`  ${m}`),
      });
      if (scale === "huge") {
        // Built from the large seed's databases (the same migrations), so that a seed interrupted
        // half-way, its indexes dropped, still gets every one of them.
        const largeStores = await openAllStores(
          loadConfig({
            ...process.env,
            DATABASE_URL: serverUrl,
            DATABASE_PREFIX: BENCH_SCALES.large.prefix,
            DATABASE_POOL_SIZE: "2",
          }),
        );
        try {
          for (const name of SUBGRAPH_NAMES) {
            const have = new Set((await secondaryIndexes(stores[name].sql)).map((i) => i.name));
            const missing = (await secondaryIndexes(largeStores[name].sql)).filter((i) => !have.has(i.name));
            if (!missing.length) continue;
            const at = Date.now();
            for (const index of missing)
              // A table the large seed's databases have from another branch's migrations is not ours to index.
              await stores[name].sql
                .exec(index.definition)
                .catch((error: Error) => log(`  ${name}: index ${index.name} not built: ${error.message}`));
            log(`  ${name}: ${missing.length} indexes built in ${((Date.now() - at) / 1000).toFixed(1)} s`);
          }
        } finally {
          await closeAllStores(largeStores);
        }
      }
      if (done.length) {
        const size = await stores.police.sql.one<{ bytes: string }>(
          "SELECT sum(pg_database_size(datname))::text AS bytes FROM pg_database WHERE datname = ANY($1)",
          [SUBGRAPH_NAMES.map((name) => `${BENCH_SCALES[scale].prefix}_${name}`)],
        );
        log(
          `Seeded the ${scale} demo in ${((Date.now() - started) / 1000).toFixed(0)} s (${(Number(size?.bytes ?? 0) / 1024 ** 3).toFixed(1)} GB on disk)`,
        );
      } else log(`${scale[0].toUpperCase()}${scale.slice(1)} demo already seeded: reusing it`);
      // Fresh planner statistics (and a visibility map, for index-only scans), so every setup
      // runs the same plans from the first request; quick when nothing changed.
      for (const name of SUBGRAPH_NAMES) await stores[name].sql.exec("VACUUM ANALYZE");
    }
    const { label } =
      (await stores.police.sql.one<{ label: string }>("SELECT label FROM demo_seed LIMIT 1")) ?? {};
    if (label !== `${scale}:${BENCH_SEED}`)
      log(
        `warning: the ${scale} bench databases hold the ${label ?? "no"} demo seed, not ${scale}:${BENCH_SEED}`,
      );
  } finally {
    await closeAllStores(stores);
  }
  return config;
}
