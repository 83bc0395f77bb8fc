import { composeSupergraph } from "../../gateway/supergraph";
import { SUBGRAPHS } from "../../subgraphs";
import { SUBGRAPH_NAMES, type SubgraphName } from "../../subgraphs/shared/config";
import { printFederatedSdl } from "../../subgraphs/shared/federation";
import { subgraphSchema } from "../../subgraphs/shared/subgraph";
import { startFederation, type RunningFederation } from "../../scripts/lib/federation";
import {
  closeAllStores,
  closeServiceStores,
  openAllStores,
  openServiceStores,
  type ServiceStores,
  type Stores,
} from "../../scripts/lib/stores";
import { seedDemoPartnership } from "../../scripts/lib/demo";
import { testServerUrl, uniqueDatabaseUrl } from "./database";
import { DEMO_SEED, demoDatabaseEnv } from "./demo-databases";
import { Client } from "pg";
import { graphql, testConfig, type As } from "./graphql";

export interface TestFederation {
  gatewayUrl: string;
  federation: RunningFederation;
  /** Every subgraph's database as the migrator, for tests to fill and inspect. */
  stores: Stores;
  /** What the subgraphs serve with: each its own role, and the access role into governance. */
  services: ServiceStores;
  /** Sends an operation through the gateway as a partner client would. */
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    as?: As,
  ): ReturnType<typeof graphql<T>>;
  /** SQL statements each subgraph has run so far on its own store. */
  statements(): Record<SubgraphName, number>;
  /** Statements each subgraph has run on the governance store (decisions and audit). */
  policyStatements(): Record<SubgraphName, number>;
  stop(): Promise<void>;
}

/** The supergraph composed from the code as it is now (a separate test checks schema/ is current). */
export async function supergraphFromCode(): Promise<string> {
  const sdls = [];
  for (const name of SUBGRAPH_NAMES)
    sdls.push({ name, sdl: printFederatedSdl(await subgraphSchema(SUBGRAPHS[name])) });
  return composeSupergraph(sdls);
}

/**
 * Test files run in parallel workers: the first to arrive migrates and seeds the run's demo
 * databases while the others wait on a server-wide advisory lock, then find them seeded.
 */
async function withDemoLock<T>(work: () => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: testServerUrl() });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [`demo:${process.env.TEST_RUN_ID}`]);
    return await work();
  } finally {
    await client.end();
  }
}

/**
 * The whole federation (six subgraphs and the gateway, on free ports) over the demo
 * partnership that global setup seeded into real PostgreSQL databases for this run.
 */
export async function startTestFederation(
  options: {
    /**
     * Databases of its own, seeded afresh, for tests that change agreements, consents or
     * cases; otherwise the run's shared demo databases, which tests only read or add to.
     */
    fresh?: boolean;
    env?: Record<string, string>;
    /**
     * Each subgraph's background work (the notification relay and sweeps), as `npm start` runs
     * it: for tests that watch notifications arrive. Off by default, since most tests count
     * each request's statements and writes.
     */
    background?: boolean;
  } = {},
): Promise<TestFederation> {
  const databases = options.fresh
    ? Object.fromEntries(SUBGRAPH_NAMES.map((n) => [`${n.toUpperCase()}_DATABASE_URL`, uniqueDatabaseUrl(n)]))
    : demoDatabaseEnv();
  const config = testConfig({ ...databases, DATABASE_POOL_SIZE: "4", ...options.env });
  const seed = async () => {
    // The migrator's stores only seed and let tests look: two connections each are plenty, and
    // the server's connections are shared by every test file running at once.
    const opened = await openAllStores({ ...config, DATABASE_POOL_SIZE: 2 });
    await seedDemoPartnership(opened, { seed: DEMO_SEED, scale: "small" });
    return opened;
  };
  const stores = options.fresh ? await seed() : await withDemoLock(seed);
  const services = await openServiceStores(config);
  const ports = Object.fromEntries([...SUBGRAPH_NAMES, "gateway"].map((n) => [n, 0]));
  const federation = await startFederation(config, services, {
    ports,
    supergraphSdl: await supergraphFromCode(),
    // Tests count each request's statements and writes: no relay or sweep running beside them.
    background: options.background ?? false,
  });
  const gatewayUrl = federation.gateway.url;
  return {
    gatewayUrl,
    federation,
    stores,
    services,
    query: (query, variables, as) => graphql(gatewayUrl, query, variables, as),
    policyStatements: () => federation.policyStatements(),
    statements: () =>
      Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, services.stores[n].sql.statements])) as Record<
        SubgraphName,
        number
      >,
    async stop() {
      await federation.stop();
      await closeServiceStores(services);
      await closeAllStores(stores);
    },
  };
}
