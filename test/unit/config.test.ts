import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig, SUBGRAPH_NAMES, type ServiceName } from "../../subgraphs/shared/config";
import { deploymentBudget, jobsBudget, serviceBudget } from "../../subgraphs/shared/connection-budget";

/** What `npm run start:prod` serves: every subgraph and the gateway. */
const EVERYTHING: ServiceName[] = [...SUBGRAPH_NAMES, "gateway"];

const manifest = join(mkdtempSync(join(tmpdir(), "pg-config-")), "trusted-documents.json");
writeFileSync(
  manifest,
  JSON.stringify({ format: "apollo-persisted-query-manifest", version: 1, operations: [] }),
);

/** A production environment start:prod starts with (the manifest as `npm run build` leaves it). */
const COMPLETE = {
  NODE_ENV: "production",
  DATABASE_URL: "postgres://migrator:secret@db.example:5432/postgres",
  DATABASE_ROLE_SECRET: "r".repeat(32),
  JWKS_URL: "https://idp.example/realms/partnership/protocol/openid-connect/certs",
  ASSESSMENT_SECRET: "a".repeat(32),
  TRUSTED_DOCUMENTS_MANIFEST: manifest,
};

function problemsOf(env: NodeJS.ProcessEnv, serving: readonly ServiceName[] = EVERYTHING): string {
  try {
    loadConfig(env, { serving });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("the configuration was accepted");
}

/** The variables named at the start of a problem line. */
const named = (message: string) => [...message.matchAll(/^ {2}(\w+):/gm)].map((m) => m[1]);

describe("the configuration a serving process checks before it listens", () => {
  test("production with nothing set: every missing variable in one message, each with what it is for", () => {
    const message = problemsOf({ NODE_ENV: "production", TRUSTED_DOCUMENTS_MANIFEST: manifest });
    expect(named(message)).toEqual(["JWKS_URL", "DATABASE_URL", "DATABASE_ROLE_SECRET", "ASSESSMENT_SECRET"]);
    expect(message).toMatch(/^Invalid configuration, 4 problems \(all reported at once\):/);
    // Every line says what the variable is for.
    expect(message.match(/what it is for: /g)).toHaveLength(4);
    expect(message).toContain("verifies tokens against");
    expect(message).toContain("seals case assessment ids");
  });

  test("malformed values are reported with the missing ones, not one per try", () => {
    const message = problemsOf({
      NODE_ENV: "production",
      GATEWAY_PORT: "four thousand",
      ASSESSMENT_SECRET: "too short",
      DATABASE_ROLE_SECRET: "short too",
      TRUSTED_DOCUMENTS_MANIFEST: join(tmpdir(), "no-such-dir", "trusted-documents.json"),
    });
    expect(named(message).sort()).toEqual(
      [
        "GATEWAY_PORT",
        "ASSESSMENT_SECRET",
        "DATABASE_ROLE_SECRET",
        "JWKS_URL",
        "DATABASE_URL",
        "TRUSTED_DOCUMENTS_MANIFEST",
      ].sort(),
    );
    expect(message).toMatch(/ASSESSMENT_SECRET: at least 32 characters/);
  });

  test("a complete production environment is accepted", () => {
    const config = loadConfig(COMPLETE, { serving: EVERYTHING });
    expect(config.ASSESSMENT_SECRET).toBe(COMPLETE.ASSESSMENT_SECRET);
    expect(config.databaseUrl("police")).toBe(
      "postgres://migrator:secret@db.example:5432/partnership_graph_police",
    );
  });

  test.each(["JWKS_URL", "DATABASE_URL", "DATABASE_ROLE_SECRET", "ASSESSMENT_SECRET"])(
    "without %s alone, only it is reported",
    (variable) => {
      const env: NodeJS.ProcessEnv = { ...COMPLETE };
      delete env[variable];
      expect(named(problemsOf(env))).toEqual([variable]);
    },
  );

  test("each service alone needs only what it uses, as the image and Kubernetes run them", () => {
    // Kubernetes: every login given its own URL, no role secret, no migrator's URL.
    const own = {
      NODE_ENV: "production",
      JWKS_URL: COMPLETE.JWKS_URL,
      GOVERNANCE_ACCESS_DATABASE_URL: "postgres://gov_access:pw@db.example/partnership_graph_governance",
      TRUSTED_DOCUMENTS_MANIFEST: manifest,
    };
    expect(() => loadConfig(own, { serving: ["gateway"] })).not.toThrow();
    expect(() =>
      loadConfig(
        {
          ...own,
          YOUTH_SERVICE_DATABASE_URL: "postgres://youth_service:pw@db.example/partnership_graph_youth",
        },
        { serving: ["youth"] },
      ),
    ).not.toThrow();
    // Police seals assessments: without the secret it does not start.
    expect(
      named(
        problemsOf(
          {
            ...own,
            POLICE_SERVICE_DATABASE_URL: "postgres://police_service:pw@db.example/partnership_graph_police",
          },
          ["police"],
        ),
      ),
    ).toEqual(["ASSESSMENT_SECRET"]);
    // The gateway with neither an access URL nor a server to derive it from (nor a secret to derive with).
    expect(named(problemsOf({ ...own, GOVERNANCE_ACCESS_DATABASE_URL: undefined }, ["gateway"]))).toEqual([
      "DATABASE_URL",
      "DATABASE_ROLE_SECRET",
    ]);
  });

  test("outside production the secrets are generated, but a database is still needed to serve", () => {
    expect(named(problemsOf({ NODE_ENV: "development" }))).toEqual(["DATABASE_URL"]);
    expect(() =>
      loadConfig({ NODE_ENV: "development", DATABASE_URL: COMPLETE.DATABASE_URL }, { serving: EVERYTHING }),
    ).not.toThrow();
    // Scripts that serve nothing are not asked for a database.
    expect(() => loadConfig({ NODE_ENV: "development" })).not.toThrow();
  });
});

describe("the connection budget (README, Connections)", () => {
  test("the defaults: two replica sets of every service and the jobs fit PostgreSQL's default 100", () => {
    const config = loadConfig({ ...COMPLETE, DATABASE_MAX_CONNECTIONS: "100" }, { serving: EVERYTHING });
    expect(serviceBudget(config, "police")).toEqual({ own: 4, governance: 2 });
    expect(serviceBudget(config, "governance")).toEqual({ own: 4 });
    expect(serviceBudget(config, "gateway")).toEqual({ registry: 2 });
    // Each gateway worker process has a pool of its own.
    expect(serviceBudget({ ...config, GATEWAY_WORKERS: 3 }, "gateway")).toEqual({ registry: 6 });
    expect(jobsBudget()).toEqual({ migrate: 6, retention: 18, auditVerify: 1, total: 25 });
    expect(deploymentBudget(config)).toEqual({
      replicaSet: 36,
      replicas: 2,
      services: 72,
      jobs: 25,
      total: 97,
      available: 97,
    });
  });

  test("a configuration that cannot fit the server it names is refused, with the other problems", () => {
    const message = problemsOf({
      ...COMPLETE,
      DATABASE_MAX_CONNECTIONS: "100",
      DATABASE_POOL_SIZE: "10",
      GOVERNANCE_POOL_SIZE: "10",
      JWKS_URL: "not a url",
    });
    expect(named(message)).toEqual(["JWKS_URL", "DATABASE_MAX_CONNECTIONS"]);
    // 5 subgraphs × (10 + 10) + governance 10 + gateway 2 = 112 a set; two sets and the jobs.
    expect(message).toContain(
      "2 replicas of every service may open 224 connections (112 a replica set: each subgraph 10 own + 10 governance, governance 10, the gateway 2) and the jobs 25: 249 in all, over the 97 the server accepts (100 less 3 reserved)",
    );
  });

  test("more replicas need a bigger server, or smaller pools, or a pooler", () => {
    expect(problemsOf({ ...COMPLETE, DATABASE_MAX_CONNECTIONS: "100", REPLICAS_PER_SERVICE: "3" })).toMatch(
      /3 replicas of every service may open 108 connections .* 133 in all, over the 97/,
    );
    expect(() =>
      loadConfig(
        {
          ...COMPLETE,
          DATABASE_MAX_CONNECTIONS: "100",
          REPLICAS_PER_SERVICE: "3",
          GOVERNANCE_POOL_SIZE: "1",
          DATABASE_POOL_SIZE: "2",
        },
        { serving: EVERYTHING },
      ),
    ).not.toThrow();
    // Without DATABASE_MAX_CONNECTIONS the service cannot know: it starts, and warns if the server says so.
    expect(() =>
      loadConfig({ ...COMPLETE, REPLICAS_PER_SERVICE: "6" }, { serving: EVERYTHING }),
    ).not.toThrow();
  });
});
