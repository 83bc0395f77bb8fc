import { governance } from "../../subgraphs/governance/server";
import { governancePolicyStore } from "../../subgraphs/governance/policy-store";
import { createTokenVerifier } from "../../subgraphs/shared/auth";
import { governanceAgencyRegistry } from "../../subgraphs/governance/registry";
import { AgencyRepository } from "../../subgraphs/governance/repositories/agencies";
import { Agency } from "../../subgraphs/governance/types";
import { DEMO_AGENCIES } from "../../subgraphs/shared/demo/world";
import type { SubgraphName } from "../../subgraphs/shared/config";
import { openStore, type Sql, type SubgraphStore } from "../../subgraphs/shared/database";
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
  store: SubgraphStore;
  sql: Sql;
  /** The governance store this subgraph decides and audits against. */
  policySql: Sql;
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    as?: As,
  ): ReturnType<typeof graphql<T>>;
  stop(): Promise<void>;
}

/**
 * One subgraph on its own fresh, migrated database on the real test server, listening on a
 * free port. `prepare` fills it (a seed or hand-built rows) before it starts serving.
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
  } = {},
): Promise<TestSubgraph> {
  const config = testConfig();
  const store = await openStore(definition, uniqueDatabaseUrl(definition.name), { poolSize: 4 });
  // A governance store of its own (no agreements unless a test adds them) for decisions and audit.
  const policyStore =
    definition.name === "governance"
      ? store
      : await openStore(governance, uniqueDatabaseUrl("policy"), { poolSize: 2 });
  if (prepare) await prepare(store.sql);
  if (options.policy) await options.policy(policyStore.sql);
  // Tokens are accepted only for registered agencies: the demo's, unless the test registered its own.
  await registerDemoAgencies(policyStore.sql);
  const server = await createSubgraphServer(definition, {
    config,
    store,
    verify: await createTokenVerifier(config, governanceAgencyRegistry(policyStore.sql)),
    policy: governancePolicyStore(policyStore.sql),
    peerUrls: options.peerUrls,
  });
  const running: RunningService = await server.listen(0);
  return {
    url: running.url,
    store,
    sql: store.sql,
    query: (query, variables, as) => graphql(running.url, query, variables, as),
    policySql: policyStore.sql,
    async stop() {
      await running.stop();
      await store.close();
      if (policyStore !== store) await policyStore.close();
    },
  };
}
