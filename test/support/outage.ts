import { Client } from "pg";
import { SUBGRAPHS } from "../../subgraphs";
import { governancePolicyStore } from "../../subgraphs/shared/access/facts-store";
import { createTokenVerifier } from "../../subgraphs/shared/auth";
import { governanceAgencyRegistry } from "../../subgraphs/shared/access/registry";
import type { SubgraphName } from "../../subgraphs/shared/config";
import { Sql, type SubgraphStore } from "../../subgraphs/shared/database";
import { createSubgraphServer } from "../../subgraphs/shared/subgraph";
import { testServerUrl } from "./database";
import type { TestFederation } from "./federation";
import { testConfig } from "./graphql";

/**
 * Real outages for resilience tests: a subgraph process gone, a database refusing connections.
 * Each has its undoing, so a test file can break something and carry on.
 */

/** Stops a running subgraph: its port then refuses connections, as a crashed process's would. */
export async function stopSubgraph(fed: TestFederation, name: SubgraphName): Promise<void> {
  await fed.federation.subgraphs[name].stop();
}

/** Starts the subgraph again on the same port (the gateway's URL for it) over the same store. */
export async function restartSubgraph(fed: TestFederation, name: SubgraphName): Promise<void> {
  const config = testConfig();
  const port = fed.federation.subgraphs[name].port;
  // Governance reaches its own store; the others, as deployed, each its own login.
  const governancePool =
    name === "governance" ? fed.services.stores.governance.sql.pool : fed.services.agencyAccess[name];
  const server = await createSubgraphServer(SUBGRAPHS[name], {
    config,
    store: fed.services.stores[name],
    verify: await createTokenVerifier(config, governanceAgencyRegistry(new Sql(governancePool))),
    policy: governancePolicyStore(new Sql(governancePool)),
    peerUrls: Object.fromEntries(Object.entries(fed.federation.subgraphs).map(([n, r]) => [n, r.url])),
  });
  // Replaces the stopped one, so the federation's stop() stops this one.
  fed.federation.subgraphs[name] = await server.listen(port);
}

/** Runs statements on the test server's maintenance database, outside any subgraph's pool. */
export async function asAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const url = new URL(testServerUrl());
  url.pathname = "/postgres";
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The URL a store was opened with. */
export function urlOf(store: SubgraphStore): string {
  return (store.dataSource.options as { url: string }).url;
}

/** The database a store's pool connects to. */
export async function databaseOf(sql: Sql): Promise<string> {
  const row = await sql.one<{ name: string }>(`SELECT current_database() AS name`);
  return row!.name;
}

/**
 * Makes a database unreachable as a server outage would: new connections are refused and
 * every open one is cut.
 */
export async function refuseConnections(database: string): Promise<void> {
  await asAdmin(async (client) => {
    await client.query(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS false`);
    await client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [database],
    );
  });
}

export async function allowConnections(database: string): Promise<void> {
  await asAdmin((client) => client.query(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS true`));
}

/** Cuts every open connection to a database (a restart of its server, as its clients see it). */
export async function cutConnections(database: string): Promise<number> {
  return asAdmin(async (client) => {
    const { rowCount } = await client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [database],
    );
    return rowCount ?? 0;
  });
}
