import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { consoleSignIn } from "../../gateway/console-sign-in";
import { ConfigError, loadConfig, SUBGRAPH_NAMES } from "../../subgraphs/shared/config";

const ROOT = join(__dirname, "..", "..");
const run = promisify(execFile);

/** A client of the Keycloak realm, as deploy/keycloak/partnership-realm.json declares it. */
interface RealmClient {
  clientId: string;
  publicClient: boolean;
  redirectUris: string[];
  webOrigins: string[];
  attributes: Record<string, string>;
  protocolMappers: { protocolMapper: string; config: Record<string, string> }[];
}

interface Stage {
  name: string;
  base: string;
  instructions: { op: string; args: string }[];
}

/** The Dockerfile's stages and their instructions (continuation lines joined, comments dropped). */
function dockerfileStages(): Stage[] {
  const text = readFileSync(join(ROOT, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
  const stages: Stage[] = [];
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (!line || line.startsWith("#")) continue;
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(line)!;
    if (op.toUpperCase() === "FROM") {
      const [, base, name] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args)!;
      stages.push({ name: name ?? String(stages.length), base, instructions: [] });
    } else stages.at(-1)!.instructions.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

/** Whether .dockerignore keeps `path` out of the build context (last matching rule wins, as Docker does). */
function ignored(path: string): boolean {
  const rules = readFileSync(join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  let result = false;
  for (const rule of rules) {
    const negated = rule.startsWith("!");
    const pattern = (negated ? rule.slice(1) : rule).replace(/\/$/, "");
    const regex = new RegExp(
      `^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}(/.*)?$`,
    );
    if (regex.test(path)) result = !negated;
  }
  return result;
}

const stages = dockerfileStages();
const runtime = stages.at(-1)!;
const all = stages.flatMap((s) => s.instructions);

describe("the image recipe (Dockerfile, .dockerignore)", () => {
  test("builds in one stage and runs compiled JavaScript with production dependencies in another", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages.find((s) =>
      s.instructions.some((i) => i.op === "RUN" && /npm run build\b/.test(i.args)),
    );
    expect(build).toBeDefined();
    expect(build).not.toBe(runtime);
    // --omit=optional drops the native parts of dependencies (swc's binding, for one).
    expect(all.filter((i) => /--omit[= ]optional|--no-optional/.test(i.args))).toEqual([]);
    const installs = runtime.instructions.filter((i) => i.op === "RUN" && /npm (ci|install)/.test(i.args));
    expect(installs.length).toBe(1);
    expect(installs[0].args).toMatch(/npm ci --omit=dev/);
    const copies = runtime.instructions.filter((i) => i.op === "COPY");
    expect(copies.map((c) => c.args)).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`--from=${build!.name} /app/dist`))]),
    );
    // Nothing of the build context but the manifests: no sources, keys or data.
    for (const copy of copies.filter((c) => !c.args.includes("--from=")))
      expect(copy.args).toMatch(/^package\.json package-lock\.json \.\/?$/);
    expect(runtime.instructions).toContainEqual({ op: "ENV", args: "NODE_ENV=production" });
  });

  test("runs as an unprivileged user, with a command", () => {
    const users = runtime.instructions.filter((i) => i.op === "USER").map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const cmd = runtime.instructions.filter((i) => i.op === "CMD").at(-1);
    expect(JSON.parse(cmd!.args)).toEqual(["node", "dist/gateway/index.js"]);
  });

  test("copies no keys, data or host dependencies, and .dockerignore keeps them out of the context", () => {
    for (const copy of all.filter((i) => i.op === "COPY" || i.op === "ADD"))
      expect(copy.args).not.toMatch(/\.dev-keys|\.data|node_modules|\.env|^\.\s/);
    for (const path of [
      ".dev-keys",
      ".dev-keys/dev-key.json",
      ".data",
      ".data/postgres/PG_VERSION",
      "node_modules",
      "node_modules/pg/package.json",
      ".git",
      "dist",
      "coverage",
      "bench/.cache",
      ".env",
      "npm-debug.log",
    ])
      expect([path, ignored(path)]).toEqual([path, true]);
    // What the build stage does copy is in the context.
    for (const path of [
      "package.json",
      "package-lock.json",
      "subgraphs/police/index.ts",
      "gateway/index.ts",
      "schema/supergraph.graphql",
      "data/geo-lsoa.csv",
      "test/contract/Person360.graphql",
    ])
      expect([path, ignored(path)]).toEqual([path, false]);
  });
});

describe("docker-compose.yml", () => {
  let config: {
    services: Record<
      string,
      { image?: string; command?: string[]; environment?: Record<string, string>; user?: string }
    >;
  };
  beforeAll(async () => {
    if (!existsSync("/usr/bin/docker-compose"))
      throw new Error("docker-compose is not installed: apt-get install -y docker-compose (.ci/run does)");
    const { stdout } = await run("docker-compose", ["config"], { cwd: ROOT });
    config = parse(stdout);
  });

  test("gives each service of the image its own compiled command, in production, listening beyond loopback", () => {
    const app = Object.entries(config.services).filter(([, s]) => s.image === "partnership-graph:local");
    expect(app.map(([name]) => name).sort()).toEqual(
      ["gateway", "ingest", "migrate", "seed", ...SUBGRAPH_NAMES].sort(),
    );
    for (const [name, service] of app) {
      expect([name, service.command?.[0], service.environment?.NODE_ENV]).toEqual([
        name,
        "node",
        "production",
      ]);
      const entry = service.command![1];
      expect(entry).toMatch(/^dist\/.*\.js$/);
      // Every entry point is compiled from a source file the build includes. The migration step,
      // scripts/migrate.ts, comes with the least-privileged roles (branch pg-roles): until that is
      // merged it is checked by name only.
      const source = join(ROOT, entry.replace(/^dist\//, "").replace(/\.js$/, ".ts"));
      if (name === "migrate" && !existsSync(source)) expect(entry).toBe("dist/scripts/migrate.js");
      else expect([name, existsSync(source)]).toEqual([name, true]);
      if (name !== "migrate" && name !== "seed")
        expect([name, service.environment?.HOST]).toEqual([name, "0.0.0.0"]);
    }
  });

  test("only the migration and seed steps hold the admin URL; each subgraph connects as its own role", () => {
    for (const subgraph of SUBGRAPH_NAMES) {
      const env = config.services[subgraph].environment!;
      expect(env.DATABASE_URL).toBeUndefined();
      const own = new URL(env[`${subgraph.toUpperCase()}_SERVICE_DATABASE_URL`]);
      expect(own.username).toBe(`partnership_graph_${subgraph}_service`);
      expect(own.pathname).toBe(`/partnership_graph_${subgraph}`);
      for (const other of SUBGRAPH_NAMES.filter((o) => o !== subgraph))
        expect(env[`${other.toUpperCase()}_SERVICE_DATABASE_URL`]).toBeUndefined();
    }
    expect(config.services.gateway.environment!.DATABASE_URL).toBeUndefined();
    expect(new URL(config.services.migrate.environment!.DATABASE_URL).username).toBe("postgres");
    // The ingest service: the ingest roles' logins (governance's: the audit of the matcher's links)
    // and governance's read-only one, nothing else.
    const ingest = config.services.ingest.environment!;
    const ingesting = ["police", "council", "youth", "housing", "partnership", "governance"];
    expect(
      Object.keys(ingest)
        .filter((k) => /DATABASE_URL$/.test(k))
        .sort(),
    ).toEqual(
      [
        "GOVERNANCE_ACCESS_DATABASE_URL",
        ...ingesting.map((n) => `${n.toUpperCase()}_INGEST_DATABASE_URL`),
      ].sort(),
    );
    for (const name of ingesting) {
      const url = ingest[`${name.toUpperCase()}_INGEST_DATABASE_URL`];
      expect(new URL(url).username).toBe(`partnership_graph_${name}_ingest`);
      // The migration step sets the role's password from the same URL.
      expect(config.services.migrate.environment![`${name.toUpperCase()}_INGEST_DATABASE_URL`]).toBe(url);
    }
    expect(new URL(ingest.GOVERNANCE_ACCESS_DATABASE_URL).username).toBe(
      "partnership_graph_governance_access",
    );
  });

  test("verifies tokens from the Keycloak in the stack, whose realm gives users agency and role claims", () => {
    for (const name of ["gateway", ...SUBGRAPH_NAMES]) {
      const env = config.services[name].environment!;
      expect(env.JWKS_URL).toBe("http://keycloak:8080/realms/partnership/protocol/openid-connect/certs");
      expect(env.JWT_ISSUER).toBe("http://localhost:8080/realms/partnership");
      expect(env.JWT_AUDIENCE).toBe("partnership-graph");
      // Keycloak's sub is a UUID: every service names the user by the username the realm maps.
      expect(env.JWT_USER_CLAIM).toBe("preferred_username");
    }
    expect(config.services.keycloak).toBeDefined();
    const realm = JSON.parse(
      readFileSync(join(ROOT, "deploy", "keycloak", "partnership-realm.json"), "utf8"),
    ) as {
      realm: string;
      clients: { protocolMappers: { protocolMapper: string; config: Record<string, string> }[] }[];
      users: { attributes: { agency: string[]; role: string[] }; credentials: { value: string }[] }[];
    };
    expect(realm.realm).toBe("partnership");
    const mappers = realm.clients.flatMap((c) => c.protocolMappers);
    for (const claim of ["agency", "role"])
      expect(mappers).toContainEqual(
        expect.objectContaining({
          protocolMapper: "oidc-usermodel-attribute-mapper",
          config: expect.objectContaining({ "claim.name": claim, "access.token.claim": "true" }),
        }),
      );
    expect(mappers.some((m) => m.config["included.custom.audience"] === "partnership-graph")).toBe(true);
    for (const client of realm.clients)
      expect(client.protocolMappers).toContainEqual(
        expect.objectContaining({
          protocolMapper: "oidc-usermodel-property-mapper",
          config: expect.objectContaining({
            "user.attribute": "username",
            "claim.name": "preferred_username",
            "access.token.claim": "true",
          }),
        }),
      );
    expect(realm.users.length).toBeGreaterThan(3);
    for (const user of realm.users) {
      expect(user.attributes.agency).toHaveLength(1);
      expect(["PRACTITIONER", "ANALYST", "DATA_SHARING_OFFICER"]).toContain(user.attributes.role[0]);
      // No password in the repository: the realm import substitutes it from the environment.
      expect(user.credentials[0].value).toBe("${DEMO_USER_PASSWORD}");
    }
  });
  test("the gateway's console signs people in at the stack's Keycloak, as the realm's public client with PKCE", () => {
    const signIn = consoleSignIn(loadConfig(config.services.gateway.environment!));
    expect(signIn).toMatchObject({
      method: "oidc",
      issuer: "http://localhost:8080/realms/partnership",
      clientId: "partnership-console",
    });
    const realm = JSON.parse(
      readFileSync(join(ROOT, "deploy", "keycloak", "partnership-realm.json"), "utf8"),
    ) as { clients: RealmClient[] };
    const client = realm.clients.find((c) => c.clientId === "partnership-console")!;
    expect(client).toMatchObject({
      publicClient: true,
      standardFlowEnabled: true,
      implicitFlowEnabled: false,
      directAccessGrantsEnabled: false,
      attributes: expect.objectContaining({ "pkce.code.challenge.method": "S256" }),
    });
    // Where the console (served by the gateway on :4000) is sent back to, and from where it calls.
    const allowed = (patterns: string[], uri: string) =>
      patterns.some((p) => (p.endsWith("*") ? uri.startsWith(p.slice(0, -1)) : uri === p));
    expect(allowed(client.redirectUris, "http://localhost:4000/console/signed-in")).toBe(true);
    expect(allowed(client.redirectUris, "http://localhost:4000/graphql")).toBe(false);
    expect(
      allowed(
        client.attributes["post.logout.redirect.uris"].split("##"),
        "http://localhost:4000/console/signed-out",
      ),
    ).toBe(true);
    expect(client.webOrigins).toEqual(["+"]);
    for (const claim of ["agency", "role"])
      expect(client.protocolMappers).toContainEqual(
        expect.objectContaining({
          config: expect.objectContaining({ "claim.name": claim, "access.token.claim": "true" }),
        }),
      );
    expect(
      client.protocolMappers.some((m) => m.config["included.custom.audience"] === "partnership-graph"),
    ).toBe(true);
  });

  describe("the case review count service's key pair, from the environment", () => {
    const KEYS = ["CASE_REVIEW_SERVICE_PRIVATE_JWK", "CASE_REVIEW_SERVICE_PUBLIC_JWK"];
    /** What production's configuration check says of each subgraph's environment ("" when nothing). */
    const checked = (services: typeof config.services) =>
      Object.fromEntries(
        SUBGRAPH_NAMES.map((name) => {
          try {
            loadConfig(services[name].environment!, { serving: [name] });
            return [name, ""];
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
            return [name, (error as Error).message];
          }
        }),
      );

    test("only partnership is given the private key, police, council and housing the public one", () => {
      const given = Object.fromEntries(
        Object.entries(config.services).map(([name, service]) => [
          name,
          KEYS.filter((k) => service.environment && k in service.environment),
        ]),
      );
      for (const [name, keys] of Object.entries(given))
        expect([name, keys]).toEqual([
          name,
          name === "partnership"
            ? ["CASE_REVIEW_SERVICE_PRIVATE_JWK"]
            : ["police", "council", "housing"].includes(name)
              ? ["CASE_REVIEW_SERVICE_PUBLIC_JWK"]
              : [],
        ]);
    });

    test("unset, those four refuse to start, naming the key; with the pair `npm run keys` prints in an env file, every subgraph passes its production check", async () => {
      // No placeholder: nothing set, production's check refuses the four that sign or verify.
      const without = checked(config.services);
      for (const name of SUBGRAPH_NAMES) {
        const key =
          name === "partnership"
            ? /CASE_REVIEW_SERVICE_PRIVATE_JWK: required in production by partnership/
            : ["police", "council", "housing"].includes(name)
              ? new RegExp(`CASE_REVIEW_SERVICE_PUBLIC_JWK: required in production by ${name}`)
              : /^$/;
        expect([name, without[name]]).toEqual([name, expect.stringMatching(key)]);
      }
      // As README says for compose: the command's output as an env file.
      const { stdout: printed } = await run(
        process.execPath,
        ["-r", "@swc-node/register", join("scripts", "keys.ts"), "case-review-service"],
        { cwd: ROOT },
      );
      const envFile = join(mkdtempSync(join(tmpdir(), "pg-compose-")), ".env");
      writeFileSync(envFile, printed, { mode: 0o600 });
      const { stdout } = await run("docker-compose", ["--env-file", envFile, "config"], { cwd: ROOT });
      const withKeys = parse(stdout) as typeof config;
      expect(checked(withKeys.services)).toEqual(Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, ""])));
      const partnership = JSON.parse(
        withKeys.services.partnership.environment!.CASE_REVIEW_SERVICE_PRIVATE_JWK,
      ) as Record<string, string>;
      expect(partnership).toMatchObject({ kty: "EC", crv: "P-256", d: expect.any(String) });
      expect(withKeys.services.police.environment!.CASE_REVIEW_SERVICE_PUBLIC_JWK).not.toContain('"d"');
    }, 60_000);
  });
});
