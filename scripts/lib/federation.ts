import { readFileSync } from "node:fs";
import { createGatewayServer } from "../../gateway/server";
import { SUPERGRAPH_FILE } from "../../gateway/supergraph";
import { SUBGRAPHS } from "../../subgraphs";
import { createTokenVerifier, keepRegistryFresh } from "../../subgraphs/shared/auth";
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from "../../subgraphs/shared/config";
import type { RunningService } from "../../subgraphs/shared/http";
import { createSubgraphServer } from "../../subgraphs/shared/subgraph";
import { governancePolicyStore } from "../../subgraphs/shared/access/facts-store";
import { governanceAgencyRegistry } from "../../subgraphs/shared/access/registry";
import { announceConnectionBudget } from "../../subgraphs/shared/connection-budget";
import { Sql } from "../../subgraphs/shared/database";
import type { ServiceStores } from "./stores";

export interface RunningFederation {
  gateway: RunningService;
  subgraphs: Record<SubgraphName, RunningService>;
  /** Statements each subgraph has run against the governance store (decisions and audit). */
  policyStatements(): Record<SubgraphName, number>;
  /** With `graceMs`, in-flight requests finish first: the gateway drains, then the subgraphs. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/**
 * Every subgraph and the gateway in one process on separate ports (a laptop's `npm start`
 * and the end-to-end tests); each can also run alone from its own index.ts.
 */
export async function startFederation(
  config: Config,
  services: ServiceStores,
  options: {
    ports?: Partial<Record<SubgraphName | "gateway", number>>;
    supergraphSdl?: string;
    /**
     * Each subgraph's own background work (notification relay, delivery and sweeps); on unless
     * false (tests that judge every write a request makes run without it, and call it themselves).
     */
    background?: boolean;
  } = {},
): Promise<RunningFederation> {
  // One registry for the whole process, as one verifier: every service here checks the same list,
  // read with the access role (it may read the agencies).
  const registry = governanceAgencyRegistry(new Sql(services.governanceAccess), {
    ttlMs: config.AGENCY_REGISTRY_TTL_MS,
  });
  const verify = await createTokenVerifier(config, registry);
  // The subgraphs also accept the case review count service's tokens (never the gateway).
  const verifySubgraph = await createTokenVerifier(config, registry, { acceptServiceTokens: true });
  await announceConnectionBudget(config, ["gateway", ...SUBGRAPH_NAMES], services.stores.governance.sql.pool);
  const stopRefreshing = keepRegistryFresh(registry, config.AGENCY_REGISTRY_TTL_MS);
  const running = {} as Record<SubgraphName, RunningService>;
  const policyStatements = {} as Record<SubgraphName, Sql>;
  const stopBackground: (() => void)[] = [];
  const stopAll = () => {
    stopRefreshing();
    stopBackground.forEach((stop) => stop());
  };
  try {
    const { stores } = services;
    for (const name of SUBGRAPH_NAMES) {
      // Each subgraph consults governance through its own counter, so round trips can be measured
      // per subgraph: governance on its own store, the others each as its own login.
      const policySql = new Sql(
        name === "governance" ? stores.governance.sql.pool : services.agencyAccess[name],
      );
      policyStatements[name] = policySql;
      const server = await createSubgraphServer(SUBGRAPHS[name], {
        config,
        store: stores[name],
        verify: verifySubgraph,
        registry,
        policy: governancePolicyStore(policySql),
        policySql,
        // The subgraphs started so far (partnership asks the record owners, started before it).
        peerUrls: Object.fromEntries(Object.entries(running).map(([n, r]) => [n, r.url])),
      });
      running[name] = await server.listen(options.ports?.[name] ?? config.port(name));
      const background = options.background === false ? undefined : SUBGRAPHS[name].background;
      if (background)
        stopBackground.push(
          background({
            sql: stores[name].sql,
            governanceSql: policySql,
            config,
            peerUrl: (peer) => running[peer]?.url ?? config.subgraphUrl(peer),
          }),
        );
    }
    const gateway = await createGatewayServer({
      config,
      verify,
      registry,
      supergraphSdl: options.supergraphSdl ?? readFileSync(SUPERGRAPH_FILE, "utf8"),
      subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, running[n].url])),
    });
    const gatewayRunning = await gateway.listen(options.ports?.gateway ?? config.port("gateway"));
    return {
      gateway: gatewayRunning,
      subgraphs: running,
      policyStatements: () =>
        Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, policyStatements[n].statements])) as Record<
          SubgraphName,
          number
        >,
      async stop(stopOptions) {
        stopAll();
        await gatewayRunning.stop(stopOptions);
        await Promise.all(Object.values(running).map((s) => s.stop(stopOptions)));
      },
    };
  } catch (error) {
    stopAll();
    await Promise.all(Object.values(running).map((s) => s.stop()));
    throw error;
  }
}
