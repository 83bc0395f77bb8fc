import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig, SUBGRAPH_NAMES, type ServiceName } from "../../subgraphs/shared/config";
import { makeServiceKeyPair } from "../../subgraphs/shared/service-key";
import { deploymentBudget, jobsBudget, serviceBudget } from "../../subgraphs/shared/connection-budget";

/** What `npm run start:prod` serves: every subgraph and the gateway. */
const EVERYTHING: ServiceName[] = [...SUBGRAPH_NAMES, "gateway"];

const manifest = join(mkdtempSync(join(tmpdir(), "pg-config-")), "trusted-documents.json");
writeFileSync(
  manifest,
  JSON.stringify({ format: "apollo-persisted-query-manifest", version: 1, operations: [] }),
);

/** The case review count service's pair, as `npm run keys -- case-review-service` prints it. */
const PAIR = makeServiceKeyPair();
const PRIVATE_JWK = JSON.stringify(PAIR.privateJwk);
const PUBLIC_JWK = JSON.stringify(PAIR.publicJwk);

/** A production environment start:prod starts with (the manifest as `npm run build` leaves it). */
const COMPLETE = {
  NODE_ENV: "production",
  DATABASE_URL: "postgres://migrator:secret@db.example:5432/postgres",
  DATABASE_ROLE_SECRET: "r".repeat(32),
  JWKS_URL: "https://idp.example/realms/partnership/protocol/openid-connect/certs",
  ASSESSMENT_SECRET: "a".repeat(32),
  // One process serves partnership and the owners alike: they verify with its public half.
  CASE_REVIEW_SERVICE_PRIVATE_JWK: PRIVATE_JWK,
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
    expect(named(message)).toEqual([
      "JWKS_URL",
      "DATABASE_URL",
      "DATABASE_ROLE_SECRET",
      "ASSESSMENT_SECRET",
      "CASE_REVIEW_SERVICE_PRIVATE_JWK",
    ]);
    expect(message).toMatch(/^Invalid configuration, 5 problems \(all reported at once\):/);
    // Every line says what the variable is for.
    expect(message.match(/what it is for: /g)).toHaveLength(5);
    expect(message).toContain("verifies tokens against");
    expect(message).toContain("seals case assessment ids");
    expect(message).toContain("npm run keys -- case-review-service");
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
        "CASE_REVIEW_SERVICE_PRIVATE_JWK",
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

  test.each([
    "JWKS_URL",
    "DATABASE_URL",
    "DATABASE_ROLE_SECRET",
    "ASSESSMENT_SECRET",
    "CASE_REVIEW_SERVICE_PRIVATE_JWK",
  ])("without %s alone, only it is reported", (variable) => {
    const env: NodeJS.ProcessEnv = { ...COMPLETE };
    delete env[variable];
    expect(named(problemsOf(env))).toEqual([variable]);
  });

  test("each service alone needs only what it uses, as the image and Kubernetes run them", () => {
    // Kubernetes: every login given its own URL, no role secret, no migrator's URL.
    const own = {
      NODE_ENV: "production",
      JWKS_URL: COMPLETE.JWKS_URL,
      GOVERNANCE_ACCESS_DATABASE_URL: "postgres://gov_access:pw@db.example/partnership_graph_governance",
      TRUSTED_DOCUMENTS_MANIFEST: manifest,
    };
    expect(() => loadConfig(own, { serving: ["gateway"] })).not.toThrow();
    // Each other subgraph reaches governance as its own login (not the gateway's), as Kubernetes gives it.
    const youth = {
      ...own,
      GOVERNANCE_ACCESS_DATABASE_URL: undefined,
      YOUTH_SERVICE_DATABASE_URL: "postgres://youth_service:pw@db.example/partnership_graph_youth",
      YOUTH_GOVERNANCE_ACCESS_DATABASE_URL:
        "postgres://gov_access_youth:pw@db.example/partnership_graph_governance",
    };
    expect(() => loadConfig(youth, { serving: ["youth"] })).not.toThrow();
    // Without its own, the gateway's does not place it: it is derived, which needs a server and a secret.
    expect(
      named(problemsOf({ ...youth, YOUTH_GOVERNANCE_ACCESS_DATABASE_URL: undefined }, ["youth"])),
    ).toEqual(["DATABASE_URL", "DATABASE_ROLE_SECRET"]);
    // Police seals assessments and answers the case review count: without the secret and the
    // public key it does not start.
    expect(
      named(
        problemsOf(
          {
            ...own,
            POLICE_SERVICE_DATABASE_URL: "postgres://police_service:pw@db.example/partnership_graph_police",
            POLICE_GOVERNANCE_ACCESS_DATABASE_URL:
              "postgres://gov_access_police:pw@db.example/partnership_graph_governance",
          },
          ["police"],
        ),
      ),
    ).toEqual(["ASSESSMENT_SECRET", "CASE_REVIEW_SERVICE_PUBLIC_JWK"]);
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

describe("the case review count service's key pair (CASE_REVIEW_SERVICE_PRIVATE_JWK, _PUBLIC_JWK)", () => {
  /** Kubernetes' way: each service alone, with its own database login and what production needs. */
  const alone = (service: ServiceName, keys: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    NODE_ENV: "production",
    JWKS_URL: COMPLETE.JWKS_URL,
    GOVERNANCE_ACCESS_DATABASE_URL: "postgres://gov_access:pw@db.example/partnership_graph_governance",
    [`${service.toUpperCase()}_SERVICE_DATABASE_URL`]: `postgres://${service}_service:pw@db.example/partnership_graph_${service}`,
    [`${service.toUpperCase()}_GOVERNANCE_ACCESS_DATABASE_URL`]:
      "postgres://gov_access_x:pw@db.example/partnership_graph_governance",
    ASSESSMENT_SECRET: COMPLETE.ASSESSMENT_SECRET,
    TRUSTED_DOCUMENTS_MANIFEST: manifest,
    ...keys,
  });
  const problemsAlone = (service: ServiceName, keys: NodeJS.ProcessEnv = {}) =>
    problemsOf(alone(service, keys), [service]);

  test("each service alone needs its half: partnership the private key, police, council and housing the public one", () => {
    expect(named(problemsAlone("partnership"))).toEqual(["CASE_REVIEW_SERVICE_PRIVATE_JWK"]);
    expect(problemsAlone("partnership")).toMatch(
      /required in production by partnership\n {6}what it is for: /,
    );
    for (const owner of ["police", "council", "housing"] as const) {
      const message = problemsAlone(owner);
      expect([owner, named(message)]).toEqual([owner, ["CASE_REVIEW_SERVICE_PUBLIC_JWK"]]);
      expect(message).toContain(`required in production by ${owner}`);
      expect(message).toContain("verify partnership's case review count requests");
      expect(() =>
        loadConfig(alone(owner, { CASE_REVIEW_SERVICE_PUBLIC_JWK: PUBLIC_JWK }), { serving: [owner] }),
      ).not.toThrow();
    }
    const partnership = loadConfig(alone("partnership", { CASE_REVIEW_SERVICE_PRIVATE_JWK: PRIVATE_JWK }), {
      serving: ["partnership"],
    });
    expect(partnership.CASE_REVIEW_SERVICE_PRIVATE_JWK).toBe(PRIVATE_JWK);
    // The others neither sign nor verify: nothing asked of them.
    for (const other of ["youth", "governance", "gateway"] as const)
      expect(() => loadConfig(alone(other), { serving: [other] })).not.toThrow();
  });

  test("the private key is refused anywhere but partnership, even beside the public one", () => {
    for (const other of ["police", "council", "housing", "youth", "governance", "gateway"] as const) {
      const message = problemsAlone(other, {
        CASE_REVIEW_SERVICE_PRIVATE_JWK: PRIVATE_JWK,
        CASE_REVIEW_SERVICE_PUBLIC_JWK: PUBLIC_JWK,
      });
      expect([other, named(message)]).toEqual([other, ["CASE_REVIEW_SERVICE_PRIVATE_JWK"]]);
      expect(message).toContain(`given to ${other}, which must never hold it: only partnership signs`);
    }
    // Outside production too: a private key handed out is never right.
    expect(
      named(
        problemsOf(
          { ...alone("police", { CASE_REVIEW_SERVICE_PRIVATE_JWK: PRIVATE_JWK }), NODE_ENV: "development" },
          ["police"],
        ),
      ),
    ).toEqual(["CASE_REVIEW_SERVICE_PRIVATE_JWK"]);
  });

  test("a private key given as the public one is refused, and a public key as the private one", () => {
    const owner = problemsAlone("housing", { CASE_REVIEW_SERVICE_PUBLIC_JWK: PRIVATE_JWK });
    expect(named(owner)).toEqual(["CASE_REVIEW_SERVICE_PUBLIC_JWK"]);
    expect(owner).toContain('holds the private key ("d"): the owners get the public JWK only');
    const partnership = problemsAlone("partnership", { CASE_REVIEW_SERVICE_PRIVATE_JWK: PUBLIC_JWK });
    expect(named(partnership)).toEqual(["CASE_REVIEW_SERVICE_PRIVATE_JWK"]);
    expect(partnership).toContain('a public key (no "d")');
  });

  test("only JWK JSON of an EC P-256 key, as service-identity.ts signs with, is accepted", () => {
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey;
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    const cases: [string, string, RegExp][] = [
      ["not json", PUBLIC_JWK.slice(1), /not JSON/],
      ["an array", "[]", /a JSON object is expected/],
      ["another curve", JSON.stringify(p384.export({ format: "jwk" })), /crv P-384: .*EC P-256 \(ES256\)/],
      ["RSA", JSON.stringify(rsa.export({ format: "jwk" })), /kty RSA, crv undefined: .*EC P-256/],
      [
        "a point off the curve",
        JSON.stringify({ ...PAIR.privateJwk, y: PAIR.privateJwk.x }),
        /not a valid EC P-256 key/,
      ],
    ];
    for (const [what, text, expected] of cases) {
      const message = problemsAlone("partnership", { CASE_REVIEW_SERVICE_PRIVATE_JWK: text });
      expect([what, named(message)]).toEqual([what, ["CASE_REVIEW_SERVICE_PRIVATE_JWK"]]);
      expect([what, message]).toEqual([what, expect.stringMatching(expected)]);
    }
    const { d: _d, ...p384Public } = p384.export({ format: "jwk" });
    expect(problemsAlone("council", { CASE_REVIEW_SERVICE_PUBLIC_JWK: JSON.stringify(p384Public) })).toMatch(
      /CASE_REVIEW_SERVICE_PUBLIC_JWK: kty EC, crv P-384/,
    );
  });

  test("in one process (start:prod) the private key serves the owners too; a public key given beside it must be its half", () => {
    expect(() =>
      loadConfig({ ...COMPLETE, CASE_REVIEW_SERVICE_PUBLIC_JWK: PUBLIC_JWK }, { serving: EVERYTHING }),
    ).not.toThrow();
    const other = JSON.stringify(makeServiceKeyPair().publicJwk);
    const message = problemsOf({ ...COMPLETE, CASE_REVIEW_SERVICE_PUBLIC_JWK: other });
    expect(named(message)).toEqual(["CASE_REVIEW_SERVICE_PUBLIC_JWK"]);
    expect(message).toContain("not the public half of CASE_REVIEW_SERVICE_PRIVATE_JWK");
  });

  test("bad keys are reported with every other problem at once", () => {
    const message = problemsOf({
      NODE_ENV: "production",
      TRUSTED_DOCUMENTS_MANIFEST: manifest,
      ASSESSMENT_SECRET: "short",
      CASE_REVIEW_SERVICE_PRIVATE_JWK: PUBLIC_JWK,
      CASE_REVIEW_SERVICE_PUBLIC_JWK: "{",
    });
    expect(named(message).sort()).toEqual(
      [
        "ASSESSMENT_SECRET",
        "CASE_REVIEW_SERVICE_PRIVATE_JWK",
        "CASE_REVIEW_SERVICE_PUBLIC_JWK",
        "JWKS_URL",
        "DATABASE_URL",
        "DATABASE_ROLE_SECRET",
      ].sort(),
    );
  });

  test("an empty value is unset (docker-compose passes a variable it was not given as empty)", () => {
    expect(named(problemsAlone("partnership", { CASE_REVIEW_SERVICE_PRIVATE_JWK: "" }))).toEqual([
      "CASE_REVIEW_SERVICE_PRIVATE_JWK",
    ]);
    expect(
      loadConfig({ NODE_ENV: "development", CASE_REVIEW_SERVICE_PUBLIC_JWK: "" })
        .CASE_REVIEW_SERVICE_PUBLIC_JWK,
    ).toBeUndefined();
  });

  test("outside production nothing is required (a pair is kept in DEV_KEYS_DIR), but a key given is still checked", () => {
    expect(() =>
      loadConfig({ NODE_ENV: "development", DATABASE_URL: COMPLETE.DATABASE_URL }, { serving: EVERYTHING }),
    ).not.toThrow();
    expect(
      named(
        problemsOf({
          NODE_ENV: "development",
          DATABASE_URL: COMPLETE.DATABASE_URL,
          CASE_REVIEW_SERVICE_PUBLIC_JWK: PRIVATE_JWK,
        }),
      ),
    ).toEqual(["CASE_REVIEW_SERVICE_PUBLIC_JWK"]);
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
