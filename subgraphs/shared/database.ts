import { Client, Pool, PoolClient, QueryResultRow } from "pg";
import { DataSource, EntitySchema, MixedList } from "typeorm";
import type { Config, SubgraphName } from "./config";
import { assertLeastPrivilege, setRolePasswords } from "./database-roles";
import { asDatabaseFault, DatabaseUnavailable, rateLimitedLog } from "./faults";
import { faultMetrics } from "./metrics";

type Queryable = Pool | PoolClient;

const poolLog = rateLimitedLog();

/**
 * Every SQL statement a subgraph runs goes through one Sql. It counts statements so that
 * tests and benchmarks can prove lists are batched rather than queried per record.
 */
export class Sql {
  statements = 0;

  constructor(
    readonly pool: Pool,
    private readonly client: Queryable = pool,
  ) {}

  async many<T extends QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
    this.statements += 1;
    try {
      const result = await this.client.query<T>(text, values);
      return result.rows;
    } catch (error) {
      throw asDatabaseFault(error);
    }
  }

  async one<T extends QueryResultRow>(text: string, values: unknown[] = []): Promise<T | undefined> {
    const rows = await this.many<T>(text, values);
    return rows[0];
  }

  async exec(text: string, values: unknown[] = []): Promise<number> {
    this.statements += 1;
    try {
      const result = await this.client.query(text, values);
      return result.rowCount ?? 0;
    } catch (error) {
      throw asDatabaseFault(error);
    }
  }

  /** Whether this is a transaction's Sql (from `transaction`), not the pool's. */
  get inTransaction(): boolean {
    return this.client !== this.pool;
  }

  /** Runs `work` on one connection: the transaction's own when inside one. */
  async withConnection<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    if (this.client !== this.pool) return work(this.client as PoolClient);
    const checkedOut = await this.checkOut();
    try {
      return await work(checkedOut.client);
    } catch (error) {
      throw checkedOut.failed(error);
    } finally {
      checkedOut.release();
    }
  }

  /** Runs `work` in one transaction: all of it is written, or none. */
  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const checkedOut = await this.checkOut();
    const { client } = checkedOut;
    const tx = new Sql(this.pool, client);
    try {
      await client.query("BEGIN");
      const result = await work(tx);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      const failure = checkedOut.failed(error);
      // A connection lost midway leaves nothing to roll back: the server ends the transaction.
      if (!(failure instanceof DatabaseUnavailable)) await client.query("ROLLBACK").catch(() => undefined);
      throw failure;
    } finally {
      this.statements += tx.statements;
      checkedOut.release();
    }
  }

  /**
   * A client of its own from the pool. pg-pool takes its 'error' listener off a client it hands
   * out, so a connection cut while the client is checked out (between two statements of a
   * transaction, say) would be an unhandled 'error' that ends the process. The listener here
   * notes the loss instead; the client is then destroyed on release, not returned to the pool.
   */
  private async checkOut(): Promise<{
    client: PoolClient;
    failed(error: unknown): unknown;
    release(): void;
  }> {
    let lost: Error | undefined;
    const onError = (error: Error) => {
      lost ??= error;
      faultMetrics.connectionsLost.inc({ where: "checked_out" });
      poolLog("warn", "database connection lost", { error: error.message });
    };
    // The callback form: the listener must be on before anything else runs. A promise would
    // resume a tick later, and the server's "terminating connection" can arrive in the same
    // read as the connection's first "ready" (seen under pg_terminate_backend).
    const client = await new Promise<PoolClient>((resolve, reject) =>
      this.pool.connect((error, connected) => {
        if (error || !connected) return reject(asDatabaseFault(error));
        connected.on("error", onError);
        resolve(connected);
      }),
    );
    return {
      client,
      /** The error to throw for `error`; a lost connection also condemns the client. */
      failed: (error) => {
        const failure = asDatabaseFault(lost ?? error);
        if (failure instanceof DatabaseUnavailable) lost ??= error as Error;
        return failure;
      },
      release: () => {
        // A lost client keeps the listener: it is destroyed, and a late 'error' must find one.
        if (!lost) client.off("error", onError);
        client.release(lost);
      },
    };
  }
}

/** Creates the database named in `url` on its server when it does not exist yet. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) {
      await client
        .query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`)
        .catch((error: { code?: string }) => {
          // Another process created it between our check and our CREATE.
          if (error.code !== "42P04" && error.code !== "23505") throw error;
        });
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export interface SubgraphStore {
  dataSource: DataSource;
  sql: Sql;
  close(): Promise<void>;
}

export interface StoreDefinition {
  name: SubgraphName;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

/**
 * The privileged migration step for one subgraph: creates its database if needed, runs its
 * migrations (which create its roles and grant them what they may do) and, given the config,
 * sets its login roles' passwords. Returns the store open as the migrator, for the seed and the
 * importer; services open theirs with `openServiceStore`.
 */
export async function openStore(
  definition: StoreDefinition,
  url: string,
  options: { poolSize?: number; migrate?: boolean; roles?: Config } = {},
): Promise<SubgraphStore> {
  if (options.migrate !== false) await ensureDatabase(url);
  const store = await openDataSource(definition, url, options.poolSize);
  try {
    if (options.migrate !== false) {
      await store.dataSource.runMigrations({ transaction: "each" });
      if (options.roles) await setRolePasswords(store.sql.pool, options.roles, definition.name, url);
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * A service's store: its own least-privileged role on its migrated database. Refuses a
 * superuser or any role that owns tables, so no service runs with more than it needs.
 */
export async function openServiceStore(
  definition: StoreDefinition,
  url: string,
  options: { poolSize?: number } = {},
): Promise<SubgraphStore> {
  const store = await openDataSource(definition, url, options.poolSize);
  try {
    await assertLeastPrivilege(store.sql.pool, definition.name);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** TypeORM for entities and migrations, and the same pool for the hand-written SQL in repositories. */
async function openDataSource(
  definition: StoreDefinition,
  url: string,
  poolSize = 10,
): Promise<SubgraphStore> {
  const dataSource = new DataSource({
    type: "postgres",
    url,
    entities: definition.entities,
    migrations: definition.migrations,
    migrationsTableName: "migrations",
    synchronize: false,
    logging: false,
    poolSize,
    applicationName: `partnership-graph-${definition.name}`,
  });
  await dataSource.initialize();
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  // An idle connection cut by the server: the pool drops it and opens another when needed.
  pool.on("error", (error) => {
    faultMetrics.connectionsLost.inc({ where: "idle" });
    poolLog("warn", "idle database connection lost", { subgraph: definition.name, error: error.message });
  });
  return {
    dataSource,
    sql: new Sql(pool),
    close: () => dataSource.destroy(),
  };
}
