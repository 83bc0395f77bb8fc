import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { governance } from "../../subgraphs/governance/server";
import { importPoliceUkFiles } from "../../subgraphs/police/importer";
import { police } from "../../subgraphs/police/server";
import { governancePolicyStore } from "../../subgraphs/shared/access/facts-store";
import { createTokenVerifier } from "../../subgraphs/shared/auth";
import { governanceAgencyRegistry } from "../../subgraphs/shared/access/registry";
import { registerDemoAgencies } from "../support/subgraph";
import { ConfigError, loadConfig } from "../../subgraphs/shared/config";
import { openStore, Sql, type SubgraphStore } from "../../subgraphs/shared/database";
import type { RunningService } from "../../subgraphs/shared/http";
import { createSubgraphServer, subgraphCounters } from "../../subgraphs/shared/subgraph";
import { uniqueDatabaseUrl } from "../support/database";
import { graphql, testConfig, type As } from "../support/graphql";

const ROOT = join(__dirname, "..", "..");
const CITY = "E01032739";
const INCIDENTS = `query($lsoa: String!) {
  incidents(filter: { lsoaCodes: [$lsoa], fromMonth: "2019-01", toMonth: "2019-06" }, first: 5) {
    totalCount edges { node { id category } }
  }
}`;
// Council has no agreement with police in this test's governance store: every incident is police's to withhold.
const COUNCIL: As = { agency: "council", purpose: "CRIME_PREVENTION" };
const METRICS_TOKEN = "metrics-token-for-tests";

describe("ACCESS_RULES=off is refused in production", () => {
  test("loadConfig names the variable", () => {
    const load = () =>
      loadConfig({ NODE_ENV: "production", JWKS_URL: "https://idp.example/jwks", ACCESS_RULES: "off" });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/ACCESS_RULES: "off" is for benchmarks only and is refused in production/);
    expect(
      loadConfig({ NODE_ENV: "production", JWKS_URL: "https://idp.example/jwks", ACCESS_RULES: "on" })
        .ACCESS_RULES,
    ).toBe("on");
    expect(loadConfig({ NODE_ENV: "development" }).ACCESS_RULES).toBe("on");
    expect(() => loadConfig({ ACCESS_RULES: "none" })).toThrow(/ACCESS_RULES/);
  });

  test("a subgraph process does not start with it", () => {
    const run = spawnSync(
      process.execPath,
      ["-r", "@swc-node/register", join("subgraphs", "police", "index.ts")],
      {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
        env: {
          ...process.env,
          NODE_ENV: "production",
          JWKS_URL: "https://idp.example/jwks",
          ACCESS_RULES: "off",
          DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
          POLICE_PORT: "0",
        },
      },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/ACCESS_RULES: "off" is for benchmarks only/);
  }, 60_000);
});

describe("a subgraph with ACCESS_RULES=off", () => {
  let store: SubgraphStore;
  let policyStore: SubgraphStore;
  const running: Record<"on" | "off", RunningService> = {} as Record<"on" | "off", RunningService>;

  beforeAll(async () => {
    store = await openStore(police, uniqueDatabaseUrl("police"), { poolSize: 4 });
    policyStore = await openStore(governance, uniqueDatabaseUrl("policy"), { poolSize: 2 });
    await importPoliceUkFiles(store.sql, [join(ROOT, "data", "police-uk")]);
    await registerDemoAgencies(policyStore.sql);
    // Both switch positions over the same stores, so only the switch differs.
    for (const rules of ["on", "off"] as const) {
      const config = testConfig({ ACCESS_RULES: rules, METRICS_TOKEN });
      const policySql = new Sql(policyStore.sql.pool);
      const server = await createSubgraphServer(police, {
        config,
        store,
        verify: await createTokenVerifier(config, governanceAgencyRegistry(policySql)),
        policy: governancePolicyStore(policySql),
        policySql,
      });
      running[rules] = await server.listen(0);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(Object.values(running).map((r) => r.stop()));
    await store?.close();
    await policyStore?.close();
  });

  const auditRows = async () =>
    Number((await policyStore.sql.one<{ n: string }>("SELECT count(*) AS n FROM audit_log"))!.n);
  const metrics = async (rules: "on" | "off") =>
    subgraphCounters(
      await (
        await fetch(running[rules].url.replace(/\/graphql$/, "/metrics"), {
          headers: { authorization: `Bearer ${METRICS_TOKEN}` },
        })
      ).text(),
    );
  type Page = { incidents: { totalCount: number; edges: { node: { id: string } }[] } };

  test("returns another agency's data and writes no audit record", async () => {
    const before = await auditRows();
    const off = await graphql<Page>(running.off.url, INCIDENTS, { lsoa: CITY }, COUNCIL);
    expect(off.errors).toBeUndefined();
    expect(off.data!.incidents.edges).toHaveLength(5);
    expect(await auditRows()).toBe(before);

    // The same request with the rules on: withheld, and the denial audited.
    const on = await graphql<Page>(running.on.url, INCIDENTS, { lsoa: CITY }, COUNCIL);
    expect(on.errors).toBeUndefined();
    expect(on.data!.incidents.edges).toHaveLength(0);
    expect(await auditRows()).toBeGreaterThan(before);
  });

  test("still requires a verified caller", async () => {
    const anonymous = await graphql(running.off.url, INCIDENTS, { lsoa: CITY });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  test("/metrics counts requests, own statements and governance statements", async () => {
    const [offBefore, onBefore] = [await metrics("off"), await metrics("on")];
    await graphql(running.off.url, INCIDENTS, { lsoa: CITY }, COUNCIL);
    await graphql(running.on.url, INCIDENTS, { lsoa: CITY }, COUNCIL);
    const [offAfter, onAfter] = [await metrics("off"), await metrics("on")];
    // One store behind both servers: own statements are shared, requests and policy ones are not.
    expect(offAfter.requests - offBefore.requests).toBe(1);
    expect(onAfter.requests - onBefore.requests).toBe(1);
    expect(offAfter.statements - offBefore.statements).toBeGreaterThan(0);
    expect(offAfter.policyStatements - offBefore.policyStatements).toBe(0);
    expect(onAfter.policyStatements - onBefore.policyStatements).toBeGreaterThan(0);
  });
});
