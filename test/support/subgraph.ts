import { governance } from "../../subgraphs/governance/server";
import { governancePolicyStore } from "../../subgraphs/shared/access/facts-store";
import { createTokenVerifier } from "../../subgraphs/shared/auth";
import { governanceAgencyRegistry } from "../../subgraphs/shared/access/registry";
import { AgencyRepository } from "../../subgraphs/governance/repositories/agencies";
import { Agency } from "../../subgraphs/governance/types";
import { DEMO_AGENCIES } from "../../subgraphs/shared/demo/world";
import { Pool } from "pg";
import type { SubgraphName } from "../../subgraphs/shared/config";
import { openServiceStore, openStore, Sql, type SubgraphStore } from "../../subgraphs/shared/database";
import { governanceAccessDatabaseUrl, serviceDatabaseUrl } from "../../subgraphs/shared/database-roles";
import { createSubgraphServer, type SubgraphDefinition } from "../../subgraphs/shared/subgraph";
import type { RunningService } from "../../subgraphs/shared/http";
import { uniqueDatabaseUrl } from "./database";
import { graphql, testConfig, type As } from "./graphql";

/** Registers the demo's four agencies in a governance store (those already there are kept). */
export async function registerDemoAgencies(sql: Sql): Promise<void> {
  await new AgencyRepository(sql).insertMany(DEMO_AGENCIES.map((a) => Object.assign(new Agency(), a)));
}

export interface TestSubgraph {
  url: string;
  /** Its database as the migrator (the subgraph itself serves as its own role). */
  store: SubgraphStore;
  /** What the subgraph serves with (its own role): its statements are counted; it can read, not build fixtures. */
  sql: Sql;
  /** The migrator's Sql on the same database, for tests to write fixtures with. */
  adminSql: Sql;
  /** The governance store it decides and audits against, as the migrator (tests fill and read it). */
  policySql: Sql;
  /** Where that store is, for another subgraph to decide against the same agreements and audit. */
  policyUrl: string;
  /** Statements the subgraph itself has run on governance (as its access role). */
  policyStatements(): number;
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    as?: As,
  ): ReturnType<typeof graphql<T>>;
  stop(): Promise<void>;
}

/**
 * One subgraph on its own fresh, migrated database on the real test server, listening on a
 * free port and connecting as its own role, as deployed. `prepare` fills it (a seed or
 * hand-built rows) before it starts serving.
 */
export async function startTestSubgraph<L>(
  definition: SubgraphDefinition<L>,
  prepare?: (sql: Sql) => Promise<unknown>,
  options: {
    /** Fills the governance store (agreements, consents) the access rules read. */ policy?: (
      sql: Sql,
    ) => Promise<unknown>;
    /** Other subgraphs this one asks (partnership asks record owners). */
    peerUrls?: Partial<Record<SubgraphName, string>>;
    /** Another test subgraph's governance store (its `policyUrl`) to share, as deployed; else one of its own. */
    policyUrl?: string;
    /** A database to serve (a test's imports went there); else a fresh one. */
    storeUrl?: string;
  } = {},
): Promise<TestSubgraph> {
  const storeUrl = options.storeUrl ?? uniqueDatabaseUrl(definition.name);
  // A governance store of its own (no agreements unless a test adds them) for decisions and audit.
  const policyUrl =
    definition.name === "governance" ? storeUrl : (options.policyUrl ?? uniqueDatabaseUrl("policy"));
  const config = testConfig({
    [`${definition.name.toUpperCase()}_DATABASE_URL`]: storeUrl,
    GOVERNANCE_DATABASE_URL: policyUrl,
  });
  const store = await openStore(definition, storeUrl, { poolSize: 4, roles: config });
  const policyStore =
    definition.name === "governance"
      ? store
      : await openStore(governance, policyUrl, { poolSize: 2, roles: config });
  if (prepare) await prepare(store.sql);
  if (options.policy) await options.policy(policyStore.sql);
  // Tokens are accepted only for registered agencies: the demo's, unless the test registered its own.
  await registerDemoAgencies(policyStore.sql);
  const service = await openServiceStore(definition, serviceDatabaseUrl(config, definition.name)!, {
    poolSize: 4,
  });
  const access =
    definition.name === "governance"
      ? service.sql
      : new Sql(
          new Pool({ connectionString: governanceAccessDatabaseUrl(config, definition.name)!, max: 2 }),
        );
  const server = await createSubgraphServer(definition, {
    config,
    store: service,
    verify: await createTokenVerifier(config, governanceAgencyRegistry(access), {
      acceptServiceTokens: true,
    }),
    policy: governancePolicyStore(access),
    policySql: access,
    peerUrls: options.peerUrls,
  });
  const running: RunningService = await server.listen(0);
  return {
    url: running.url,
    store,
    sql: service.sql,
    adminSql: store.sql,
    query: (query, variables, as) => graphql(running.url, query, variables, as),
    policySql: policyStore.sql,
    policyUrl,
    policyStatements: () => access.statements,
    async stop() {
      await running.stop();
      await service.close();
      if (access !== service.sql) await access.pool.end();
      await store.close();
      if (policyStore !== store) await policyStore.close();
    },
  };
}
