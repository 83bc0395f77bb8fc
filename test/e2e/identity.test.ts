import { spawn } from "node:child_process";
import { join } from "node:path";
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  UnsecuredJWT,
  type JWTPayload,
} from "jose";
import { AuthenticationError, createTokenVerifier, loadDevKeys } from "../../subgraphs/shared/auth";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";
import { governanceAgencyRegistry } from "../../subgraphs/shared/access/registry";
import { Sql } from "../../subgraphs/shared/database";
import { Pool } from "pg";
import { uniqueDatabaseUrl } from "../support/database";
import { startTestFederation, type TestFederation } from "../support/federation";
import { testConfig, tokenFor } from "../support/graphql";
import { identityEnv, startIdentityProvider, type TestIdentityProvider } from "../support/jwks";

const ROOT = join(__dirname, "..", "..");
const config = testConfig();
const QUERY = `{ incidents(filter: { lsoaCodes: ["E01032739"], fromMonth: "2019-01", toMonth: "2019-03" }, first: 1) { totalCount } }`;

let fed: TestFederation;
beforeAll(async () => {
  fed = await startTestFederation();
  // An agency that has left the partnership: registered, no longer active (added before any
  // request, so every process's registry reads it as it is).
  await fed.stores.governance.sql.exec(
    `INSERT INTO agencies (id, name, kind, contact, active)
     VALUES ('probation', 'Probation Service (left the partnership)', 'PROBATION', 'dso@probation.example', false)
     ON CONFLICT (id) DO NOTHING`,
  );
}, 180_000);
afterAll(() => fed?.stop());

/** The registered agencies as the federation's governance store lists them. */
const registry = () => governanceAgencyRegistry(fed.stores.governance.sql);

interface Reply {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(url: string, authorization: string | null, query = QUERY): Promise<Reply> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-purpose": "CRIME_PREVENTION",
  };
  if (authorization !== null) headers.authorization = authorization;
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify({ query }) });
  return { status: response.status, body: (await response.json()) as Reply["body"] };
}

/** A token signed with the development key, with any claim or header changed. */
async function devToken(
  claims: JWTPayload,
  options: { issuer?: string; audience?: string; expiresAt?: number } = {},
): Promise<string> {
  const keys = await loadDevKeys(config.DEV_KEYS_DIR);
  const key = await importJWK(keys.privateJwk, "ES256");
  return new SignJWT({ agency: "police", role: "PRACTITIONER", ...claims })
    .setProtectedHeader({ alg: "ES256", kid: keys.privateJwk.kid })
    .setSubject("pc.smith")
    .setIssuer(options.issuer ?? config.JWT_ISSUER)
    .setAudience(options.audience ?? config.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresAt ?? Math.floor(Date.now() / 1000) + 300)
    .sign(key);
}

describe("a verified token is remembered, never past what it proves", () => {
  it("stops accepting a remembered token the moment it expires", async () => {
    let clock = Date.now();
    const verify = await createTokenVerifier(config, registry(), { now: () => clock });
    const token = await devToken({}, { expiresAt: Math.floor(clock / 1000) + 30 });
    await expect(verify(token)).resolves.toEqual({
      userId: "pc.smith",
      agencyId: "police",
      role: "PRACTITIONER",
    });
    clock += 29_000;
    await expect(verify(token)).resolves.toMatchObject({ userId: "pc.smith" });
    clock += 2_000;
    await expect(verify(token)).rejects.toThrow("invalid token: the token has expired");
  });

  it("remembers a token by its exact text: a changed signature or claim is checked and refused", async () => {
    const verify = await createTokenVerifier(config, registry());
    const token = await devToken({});
    await verify(token);
    const [header, payload, signature] = token.split(".");
    // Flip a bit of the decoded signature: editing its last characters may touch only base64url's
    // padding bits, which decode to the same signature (this test once failed that way, 1 run in ~16).
    const bytes = Buffer.from(signature, "base64url");
    bytes[0] ^= 0x01;
    const flipped = bytes.toString("base64url");
    expect(flipped).not.toBe(signature);
    await expect(verify(`${header}.${payload}.${flipped}`)).rejects.toThrow(AuthenticationError);
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as JWTPayload;
    const promoted = Buffer.from(JSON.stringify({ ...claims, role: "DATA_SHARING_OFFICER" })).toString(
      "base64url",
    );
    await expect(verify(`${header}.${promoted}.${signature}`)).rejects.toThrow(
      "invalid token: the token is not signed by a trusted key",
    );
  });
});

describe("the gateway refuses a bad token with 401 before planning", () => {
  const cases: [string, () => Promise<string | null>, RegExp][] = [
    ["missing", async () => null, /Bearer token is required/],
    ["not a Bearer token", async () => "Basic cGM6c21pdGg=", /Bearer token is required/],
    [
      "expired",
      async () => `Bearer ${await devToken({}, { expiresAt: Math.floor(Date.now() / 1000) - 60 })}`,
      /the token has expired/,
    ],
    [
      "signed with another key",
      async () => {
        // A forger who knows the dev key's id but not the key itself.
        const { privateKey } = await generateKeyPair("ES256");
        const { kid } = decodeProtectedHeader(await tokenFor({ agency: "police" }));
        const forged = await new SignJWT({ agency: "police", role: "PRACTITIONER" })
          .setProtectedHeader({ alg: "ES256", kid })
          .setSubject("pc.smith")
          .setIssuer(config.JWT_ISSUER)
          .setAudience(config.JWT_AUDIENCE)
          .setExpirationTime("5m")
          .sign(privateKey);
        return `Bearer ${forged}`;
      },
      /not signed by a trusted key/,
    ],
    [
      "unsigned (alg: none)",
      async () =>
        `Bearer ${new UnsecuredJWT({ agency: "police", role: "PRACTITIONER" })
          .setSubject("pc.smith")
          .setIssuer(config.JWT_ISSUER)
          .setAudience(config.JWT_AUDIENCE)
          .setExpirationTime("5m")
          .encode()}`,
      /unsigned tokens are refused/,
    ],
    [
      "with the wrong issuer",
      async () => `Bearer ${await devToken({}, { issuer: "evil-idp" })}`,
      /issuer this service does not trust/,
    ],
    [
      "with the wrong audience",
      async () => `Bearer ${await devToken({}, { audience: "another-service" })}`,
      /another audience/,
    ],
    [
      "with a role that is not one of the three",
      async () => `Bearer ${await devToken({ role: "ADMIN" })}`,
      /role must be PRACTITIONER, ANALYST or DATA_SHARING_OFFICER/,
    ],
    ["with no agency", async () => `Bearer ${await devToken({ agency: undefined })}`, /agency/],
  ];

  it.each(cases)("%s", async (_name, authorization, message) => {
    const before = { data: fed.statements(), policy: fed.policyStatements() };
    const reply = await post(fed.gatewayUrl, await authorization());
    expect(reply.status).toBe(401);
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors).toHaveLength(1);
    expect(reply.body.errors![0].extensions?.code).toBe("UNAUTHENTICATED");
    expect(reply.body.errors![0].message).toMatch(message);
    // Not one SQL statement anywhere: the request never got as far as a subgraph.
    expect({ data: fed.statements(), policy: fed.policyStatements() }).toEqual(before);
  });

  it("while the same request with a good token is answered", async () => {
    const reply = await post(fed.gatewayUrl, `Bearer ${await tokenFor({ agency: "police" })}`);
    expect(reply.status).toBe(200);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data).toEqual({ incidents: { totalCount: expect.any(Number) } });
  });
});

/** A token signed with the development key, with exactly these claims (no defaults for iat/exp). */
async function rawDevToken(claims: JWTPayload): Promise<string> {
  const keys = await loadDevKeys(config.DEV_KEYS_DIR);
  const key = await importJWK(keys.privateJwk, "ES256");
  return new SignJWT({
    sub: "pc.smith",
    iss: config.JWT_ISSUER,
    aud: config.JWT_AUDIENCE,
    agency: "police",
    role: "PRACTITIONER",
    ...claims,
  })
    .setProtectedHeader({ alg: "ES256", kid: keys.privateJwk.kid })
    .sign(key);
}

describe("identity accepted too freely (issue 9): refused with 401 at the gateway and at every subgraph", () => {
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => Promise<string>, RegExp][] = [
    ["no exp", () => rawDevToken({ iat: nowSeconds() }), /no exp claim/],
    ["no iat", () => rawDevToken({ exp: nowSeconds() + 300 }), /no "iat" claim/],
    [
      "a ten-year exp",
      () => rawDevToken({ iat: nowSeconds(), exp: nowSeconds() + 10 * 365 * 86_400 }),
      /lives longer than the 43200 seconds allowed/,
    ],
    [
      "12 hours and a minute",
      () => rawDevToken({ iat: nowSeconds(), exp: nowSeconds() + 12 * 3600 + 60 }),
      /lives longer than/,
    ],
    [
      "an iat ten minutes in the future",
      () => rawDevToken({ iat: nowSeconds() + 600, exp: nowSeconds() + 900 }),
      /issued in the future/,
    ],
    [
      "an unregistered agency (acme)",
      () => devToken({ agency: "acme" }),
      /agency "acme" is not a registered, active partner agency/,
    ],
    [
      "an agency no longer active (probation)",
      () => devToken({ agency: "probation" }),
      /agency "probation" is not a registered, active partner agency/,
    ],
    ["an unknown role", () => devToken({ role: "SUPERUSER" }), /role must be PRACTITIONER/],
  ];

  it.each(cases)("the gateway refuses %s, before any subgraph is asked", async (_name, token, message) => {
    const before = { data: fed.statements(), policy: fed.policyStatements() };
    const reply = await post(fed.gatewayUrl, `Bearer ${await token()}`);
    expect(reply.status).toBe(401);
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(message),
        extensions: expect.objectContaining({ code: "UNAUTHENTICATED" }),
      }),
    ]);
    expect({ data: fed.statements(), policy: fed.policyStatements() }).toEqual(before);
  });

  it.each(cases)("every subgraph called directly refuses %s", async (_name, token, message) => {
    const bearer = `Bearer ${await token()}`;
    for (const name of SUBGRAPH_NAMES) {
      const reply = await post(fed.federation.subgraphs[name].url, bearer, "{ __typename }");
      expect({ name, status: reply.status }).toEqual({ name, status: 401 });
      expect(reply.body.errors?.[0].message).toMatch(message);
    }
  });

  it("a token of 12 hours, issued by a clock a little ahead (30 s), is accepted", async () => {
    const iat = nowSeconds() + 30;
    const reply = await post(fed.gatewayUrl, `Bearer ${await rawDevToken({ iat, exp: iat + 12 * 3600 })}`);
    expect(reply.status).toBe(200);
    expect(reply.body.errors).toBeUndefined();
  });

  it("an acme token writes no audit row, so a DSO's disclosures still read", async () => {
    const auditRows = () =>
      fed.stores.governance.sql.one<{ n: string }>(
        `SELECT count(*) AS n FROM audit_log WHERE agency_id = 'acme'`,
      );
    const person = `{ person(id: "per-000002") { id displayName } }`;
    await post(fed.gatewayUrl, `Bearer ${await devToken({ agency: "acme" })}`, person);
    expect(Number((await auditRows())!.n)).toBe(0);
  });
});

describe("the registry of agencies tokens are checked against", () => {
  it("refuses an agency deactivated in governance once the kept list lapses, and accepts it again when reactivated", async () => {
    let clock = Date.now();
    const verify = await createTokenVerifier(
      config,
      governanceAgencyRegistry(fed.stores.governance.sql, { ttlMs: 30_000, now: () => clock }),
      { now: () => clock },
    );
    const setActive = (active: boolean) =>
      fed.stores.governance.sql.exec(`UPDATE agencies SET active = $1 WHERE id = 'probation'`, [active]);
    try {
      await setActive(true);
      const token = await devToken({ agency: "probation" }, { expiresAt: Math.floor(clock / 1000) + 3600 });
      await expect(verify(token)).resolves.toMatchObject({ agencyId: "probation" });
      await setActive(false);
      // Within the 30 s the list is kept, the change is not seen yet...
      clock += 29_000;
      await expect(verify(token)).resolves.toMatchObject({ agencyId: "probation" });
      // ...and then it is, remembered token or not.
      clock += 2_000;
      await expect(verify(token)).rejects.toThrow(/"probation" is not a registered, active partner agency/);
      await setActive(true);
      clock += 31_000;
      await expect(verify(token)).resolves.toMatchObject({ agencyId: "probation" });
    } finally {
      await setActive(false);
    }
  });

  it("keeps the list last verified through a governance outage of any length, and after a restart from the kept copy", async () => {
    let clock = Date.now();
    const pool = new Pool({
      connectionString: fed.stores.governance.sql.pool.options.connectionString,
      max: 1,
    });
    const saved: { ids: readonly string[]; verifiedAt: number }[] = [];
    const kept = {
      save: async (ids: readonly string[], verifiedAt: number) => void saved.push({ ids, verifiedAt }),
      load: async () => saved.at(-1) ?? null,
    };
    const registry = governanceAgencyRegistry(new Sql(pool), { ttlMs: 30_000, now: () => clock, kept });
    const verify = await createTokenVerifier(config, registry, { now: () => clock });
    const token = await devToken({ agency: "police" }, { expiresAt: Math.floor(clock / 1000) + 3600 });
    await expect(verify(token)).resolves.toMatchObject({ agencyId: "police" });
    const verifiedAt = clock;
    expect(registry.verifiedAt()).toBe(verifiedAt);
    expect(saved.at(-1)?.ids).toContain("police");
    // Governance unreachable from here on: every later read fails.
    await pool.end();
    // Far past the five minutes a list used to be kept.
    clock += 50 * 60_000;
    await expect(verify(token)).resolves.toMatchObject({ agencyId: "police" });
    expect(registry.verifiedAt()).toBe(verifiedAt);
    // A process started during the outage begins from the kept copy...
    const restarted = governanceAgencyRegistry(new Sql(pool), { ttlMs: 30_000, now: () => clock, kept });
    const verifyAfterRestart = await createTokenVerifier(config, restarted, { now: () => clock });
    await expect(verifyAfterRestart(token)).resolves.toMatchObject({ agencyId: "police" });
    expect(restarted.verifiedAt()).toBe(verifiedAt);
    // ...and, with none kept, refuses every token (fail closed).
    saved.length = 0;
    const bare = governanceAgencyRegistry(new Sql(pool), { now: () => clock, kept });
    await expect((await createTokenVerifier(config, bare, { now: () => clock }))(token)).rejects.toThrow(
      new AuthenticationError("the registry of partner agencies could not be read"),
    );
  });

  it("refuses every token when the registry cannot be read (fail closed)", async () => {
    const pool = new Pool({ connectionString: uniqueDatabaseUrl("missing"), max: 1 });
    try {
      const verify = await createTokenVerifier(config, governanceAgencyRegistry(new Sql(pool)));
      await expect(verify(await devToken({}))).rejects.toThrow(
        new AuthenticationError("the registry of partner agencies could not be read"),
      );
    } finally {
      await pool.end();
    }
  });
});

describe("each subgraph called directly", () => {
  it.each([...SUBGRAPH_NAMES])("%s refuses a request without a token with 401", async (name) => {
    const reply = await post(fed.federation.subgraphs[name].url, null, "{ __typename }");
    expect(reply.status).toBe(401);
    expect(reply.body.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
  });

  it.each([...SUBGRAPH_NAMES])("%s refuses a forged token with 401", async (name) => {
    const reply = await post(
      fed.federation.subgraphs[name].url,
      `Bearer ${await devToken({}, { issuer: "evil-idp" })}`,
      "{ __typename }",
    );
    expect(reply.status).toBe(401);
  });

  it.each([...SUBGRAPH_NAMES])("%s answers /health without a token", async (name) => {
    const response = await fetch(fed.federation.subgraphs[name].url.replace(/\/graphql$/, "/health"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", service: name });
  });
});

/** Runs `npm run --silent token -- ...` as a user would, collecting its output. */
function runToken(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "token", "--", ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "development", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run token", () => {
  it("prints only a JWT that verifies with the dev keys", async () => {
    const result = await runToken(["--agency", "police", "--role", "PRACTITIONER", "--user", "pc.smith"]);
    expect(result.code).toBe(0);
    // The whole of stdout is one token, so $(npm run --silent token ...) can be used as is.
    expect(result.stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    const keys = await loadDevKeys(config.DEV_KEYS_DIR);
    const { payload } = await jwtVerify(result.stdout.trim(), createLocalJWKSet(keys.jwks), {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
    expect(payload).toMatchObject({ sub: "pc.smith", agency: "police", role: "PRACTITIONER" });
    // It expires, within the 12 hours allowed, and says when it was issued.
    expect(payload.exp! - payload.iat!).toBe(8 * 3600);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(60);
    // And the gateway takes it.
    const reply = await post(fed.gatewayUrl, `Bearer ${result.stdout.trim()}`);
    expect(reply.status).toBe(200);
  }, 30_000);

  it("refuses to issue a token longer-lived than the services accept", async () => {
    const result = await runToken([
      "--agency",
      "police",
      "--role",
      "ANALYST",
      "--user",
      "a.n",
      "--expires",
      "13h",
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/must expire within TOKEN_MAX_LIFETIME_SECONDS \(43200 s\)/);
  }, 30_000);

  it("rejects a bad role with a usage message and a non-zero exit", async () => {
    const result = await runToken(["--agency", "police", "--role", "CHIEF", "--user", "pc.smith"]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/--role must be one of PRACTITIONER, ANALYST, DATA_SHARING_OFFICER/);
    expect(result.stderr).toMatch(/usage: /);
  }, 30_000);

  it.each([
    ["without JWKS_URL", {}],
    ["with JWKS_URL", { JWKS_URL: "https://idp.example/jwks.json" }],
  ])(
    "refuses with NODE_ENV=production (%s)",
    async (_name, env) => {
      const result = await runToken(["--agency", "police", "--role", "PRACTITIONER", "--user", "pc.smith"], {
        ...env,
        NODE_ENV: "production",
      });
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/development tokens cannot be issued in production/);
    },
    30_000,
  );
});

describe("production verification against a JWKS URL", () => {
  let idp: TestIdentityProvider;
  let jwksFed: TestFederation;
  beforeAll(async () => {
    idp = await startIdentityProvider();
    jwksFed = await startTestFederation({ env: identityEnv(idp) });
  }, 180_000);
  afterAll(async () => {
    await jwksFed?.stop();
    await idp?.stop();
  });

  it("accepts a token signed by the identity provider's key, through the gateway and subgraphs", async () => {
    const token = await idp.sign({ sub: "pc.jones", agency: "police", role: "PRACTITIONER" });
    const reply = await post(jwksFed.gatewayUrl, `Bearer ${token}`);
    expect(reply.status).toBe(200);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data).toEqual({ incidents: { totalCount: expect.any(Number) } });
    expect(idp.requests()).toBeGreaterThan(0);
  });

  it("refuses a development token", async () => {
    const before = jwksFed.statements();
    const reply = await post(jwksFed.gatewayUrl, `Bearer ${await tokenFor({ agency: "police" })}`);
    expect(reply.status).toBe(401);
    expect(reply.body.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect(jwksFed.statements()).toEqual(before);
  });

  it("refuses every token while the JWKS cannot be fetched, without naming its address", async () => {
    const down = await startIdentityProvider();
    await down.stop();
    const verify = await createTokenVerifier(
      testConfig({ NODE_ENV: "production", ...identityEnv(down) }),
      registry(),
    );
    const attempt = verify(await down.sign());
    await expect(attempt).rejects.toThrow(AuthenticationError);
    await expect(attempt).rejects.toThrow("invalid token: the identity provider's keys could not be fetched");
  });

  it("takes the user id from JWT_USER_CLAIM: Keycloak's username, not its UUID sub; a token without it is refused", async () => {
    const verify = await createTokenVerifier(
      testConfig({ NODE_ENV: "production", ...identityEnv(idp), JWT_USER_CLAIM: "preferred_username" }),
      registry(),
    );
    const sub = "6f1c2a9e-4b3d-4e8f-9a0b-1c2d3e4f5a6b";
    const caller = await verify(await idp.sign({ sub, preferred_username: "pc.jones" }));
    expect(caller.userId).toBe("pc.jones");
    await expect(verify(await idp.sign({ sub }))).rejects.toThrow(
      new AuthenticationError("invalid token: no preferred_username claim"),
    );
    // The default stays `sub`.
    const bySub = await createTokenVerifier(
      testConfig({ NODE_ENV: "production", ...identityEnv(idp) }),
      registry(),
    );
    expect((await bySub(await idp.sign({ sub, preferred_username: "pc.jones" }))).userId).toBe(sub);
  });

  it("refuses the provider's token for another audience or issuer", async () => {
    for (const options of [{ audience: "another-service" }, { issuer: "https://other.example" }]) {
      const reply = await post(jwksFed.gatewayUrl, `Bearer ${await idp.sign({}, options)}`);
      expect(reply.status).toBe(401);
    }
  });
});
