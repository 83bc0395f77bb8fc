import { createHash, createHmac, createPublicKey, type JsonWebKey } from "node:crypto";
import {
  base64url,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  UnsecuredJWT,
  type JWTPayload,
} from "jose";
import { loadDevKeys } from "../../subgraphs/shared/auth";
import { SUBGRAPH_NAMES, type SubgraphName } from "../../subgraphs/shared/config";
import { Purpose, Role } from "../../subgraphs/shared/enums";
import {
  CASE_REVIEW_COUNT,
  CASE_REVIEW_COUNT_USER,
  issueServiceToken,
  serviceKeys,
  SERVICE_ROLE,
} from "../../subgraphs/shared/service-identity";
import { countFromOwners } from "../../subgraphs/partnership/threshold";
import { startTestFederation, type TestFederation } from "../support/federation";
import { testConfig, tokenFor, type As } from "../support/graphql";

/**
 * The case review count service identity (issue 17), attacked from outside: with a valid user
 * token of any role and agency, through the gateway and straight at each subgraph (an attacker
 * inside the cluster network), and with service tokens forged, confused, stretched or replayed.
 * Every attempt here is refused; the first test shows the service token itself works, so the
 * refusals are not a broken service. Two got through before this file: a service token issued in
 * the future (its `exp − iat` was checked, its `iat` was not) and a user whose token names them
 * `service:case-review-count` (served, and audited under the service's name); both are refused in
 * the shared verifier (auth.ts, token-lifetime.ts, service-identity.ts).
 */

const config = testConfig();
const OWNERS = ["police", "council", "housing"] as const;
const COUNT = `query CaseReviewThresholdCount($p: [ID!]!, $from: DateTime!, $to: DateTime!) {
  reportCounts(personIds: $p, from: $from, to: $to) { personId reports } }`;
const SPAN = { from: "2018-12-01T00:00:00Z", to: "2019-06-01T00:00:00Z" };
const VARIABLES = { p: ["per-000001", "per-000002", "per-000003"], ...SPAN };
const ARGS = `personIds: ["per-000001"], from: "${SPAN.from}", to: "${SPAN.to}"`;

let fed: TestFederation;
beforeAll(async () => {
  // Databases of its own: the disclosure tests below change an agreement and record a consent.
  fed = await startTestFederation({ fresh: true });
}, 240_000);
afterAll(() => fed?.stop());

const url = (name: SubgraphName | "gateway") =>
  name === "gateway" ? fed.gatewayUrl : fed.federation.subgraphs[name].url;

interface Reply {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** One HTTP request as an attacker would send it: any body, any headers. */
async function send(
  target: string,
  token: string | null,
  body: unknown,
  headers: Record<string, string> = {},
  method: "POST" | "GET" = "POST",
): Promise<Reply> {
  const h: Record<string, string> = {
    "content-type": "application/json",
    "x-purpose": Purpose.ASB_CASE_MANAGEMENT,
    // Apollo's CSRF prevention wants this on a GET.
    "apollo-require-preflight": "true",
    ...headers,
  };
  if (token !== null) h.authorization = `Bearer ${token}`;
  const response =
    method === "GET"
      ? await fetch(`${target}?${new URLSearchParams(body as Record<string, string>)}`, { headers: h })
      : await fetch(target, { method, headers: h, body: JSON.stringify(body) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { errors: [{ message: text }] };
  }
  // A batched answer (an array) would be a hole in itself: keep it visible.
  if (Array.isArray(parsed)) return { status: response.status, data: { batched: parsed } };
  return { status: response.status, ...(parsed as Omit<Reply, "status">) };
}

/** No count in the answer, whatever shape it has. */
function noCounts(reply: Reply): void {
  expect(JSON.stringify(reply.data ?? null)).not.toMatch(/reportCounts|"reports"|batched/);
  expect(reply.errors?.length ?? 0).toBeGreaterThan(0);
}

const service = (agency = "council") => issueServiceToken(config, agency).then((t) => t!);

/** A token signed with the service's own private key, with any claims and header. */
async function serviceSigned(claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  const keys = (await serviceKeys(config))!;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    sub: CASE_REVIEW_COUNT_USER,
    iss: config.JWT_ISSUER,
    aud: config.JWT_AUDIENCE,
    agency: "council",
    role: SERVICE_ROLE,
    service: CASE_REVIEW_COUNT,
    iat: now,
    exp: now + 120,
    ...claims,
  })
    .setProtectedHeader({ alg: "ES256", kid: keys.privateJwk!.kid, ...header })
    .sign(await importJWK(keys.privateJwk!, "ES256"));
}

const serviceClaims = (): JWTPayload => {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: CASE_REVIEW_COUNT_USER,
    iss: config.JWT_ISSUER,
    aud: config.JWT_AUDIENCE,
    agency: "council",
    role: SERVICE_ROLE,
    service: CASE_REVIEW_COUNT,
    iat: now,
    exp: now + 120,
  };
};

/** A JWS put together by hand (for algorithms and headers jose will not sign with). */
function handMade(header: Record<string, unknown>, claims: JWTPayload, sign: (input: string) => string) {
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(claims))}`;
  return `${input}.${sign(input)}`;
}

test("the service token itself counts at each owner (so the refusals below are refusals)", async () => {
  const token = await service();
  for (const owner of OWNERS) {
    const reply = await send(url(owner), token, { query: COUNT, variables: VARIABLES });
    expect({ owner, errors: reply.errors }).toEqual({ owner, errors: undefined });
    expect(Array.isArray(reply.data?.reportCounts)).toBe(true);
  }
});

describe("a user token of any role and agency never reaches reportCounts", () => {
  const callers: As[] = [
    ...OWNERS.map((agency) => ({ agency, role: Role.PRACTITIONER })),
    { agency: "police", role: Role.DATA_SHARING_OFFICER },
    { agency: "youth", role: Role.PRACTITIONER },
    { agency: "council", role: Role.ANALYST, purpose: Purpose.STATISTICS },
  ];
  const documents: [string, string][] = [
    ["plain", COUNT],
    [
      "aliased",
      `query Q($p: [ID!]!, $from: DateTime!, $to: DateTime!) { n: reportCounts(personIds: $p, from: $from, to: $to) { who: personId how: reports } }`,
    ],
    [
      "in a named fragment",
      `query Q($p: [ID!]!, $from: DateTime!, $to: DateTime!) { ...F } fragment F on Query { reportCounts(personIds: $p, from: $from, to: $to) { personId reports } }`,
    ],
    [
      "in an inline fragment, beside __typename",
      `query Q($p: [ID!]!, $from: DateTime!, $to: DateTime!) { __typename ... on Query { reportCounts(personIds: $p, from: $from, to: $to) { personId reports } } }`,
    ],
  ];

  test.each(documents)("through the gateway (%s): not in the graph at all", async (_, query) => {
    for (const as of callers) {
      const reply = await send(
        url("gateway"),
        await tokenFor(as),
        { query, variables: VARIABLES },
        {
          "x-purpose": as.purpose ?? Purpose.ASB_CASE_MANAGEMENT,
        },
      );
      noCounts(reply);
      expect(reply.errors![0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    }
  });

  test.each(documents)(
    "straight at each owner (%s): FORBIDDEN, ROLE_NOT_PERMITTED, for every role and purpose",
    async (_, query) => {
      for (const owner of OWNERS)
        for (const as of callers)
          for (const purpose of [as.purpose ?? Purpose.ASB_CASE_MANAGEMENT, Purpose.SAFEGUARDING]) {
            const reply = await send(
              url(owner),
              await tokenFor(as),
              { query, variables: VARIABLES },
              {
                "x-purpose": purpose,
                ...(purpose === Purpose.SAFEGUARDING ? { "x-break-glass": "child at immediate risk" } : {}),
              },
            );
            noCounts(reply);
            expect({ owner, as, purpose, ...reply.errors![0].extensions }).toMatchObject({
              owner,
              as,
              purpose,
              code: "FORBIDDEN",
              reason: "ROLE_NOT_PERMITTED",
            });
          }
    },
  );

  test("the supergraph's introspection does not show it, nor its type", async () => {
    const reply = await send(url("gateway"), await tokenFor({ agency: "police" }), {
      query: `{ __schema { queryType { fields { name } } } t: __type(name: "ReportCount") { name } }`,
    });
    expect(reply.errors).toBeUndefined();
    const fields = (reply.data as { __schema: { queryType: { fields: { name: string }[] } } }).__schema
      .queryType.fields;
    expect(fields.length).toBeGreaterThan(10);
    expect(fields.map((f) => f.name)).not.toContain("reportCounts");
    expect((reply.data as { t: unknown }).t).toBeNull();
  });

  test("no `_entities` path: ReportCount is no entity, at any owner or through the gateway", async () => {
    const query = `query E($r: [_Any!]!) { _entities(representations: $r) { ... on ReportCount { personId reports } } }`;
    const variables = {
      r: [{ __typename: "ReportCount", personId: "per-000001", id: "report-count:per-000001" }],
    };
    for (const target of [...OWNERS, "gateway"] as const) {
      const reply = await send(url(target), await tokenFor({ agency: "police" }), { query, variables });
      noCounts(reply);
    }
  });

  test("batched requests are refused whole, through the gateway and at each owner", async () => {
    const token = await tokenFor({ agency: "police" });
    const batch = [{ query: `{ __typename }` }, { query: COUNT, variables: VARIABLES }];
    for (const target of [...OWNERS, "gateway"] as const) {
      const reply = await send(url(target), token, batch);
      expect({ target, status: reply.status }).toEqual({ target, status: 400 });
      noCounts(reply);
    }
  });

  test("a GET request, and a persisted-query hash, go through the same gate", async () => {
    const token = await tokenFor({ agency: "police" });
    const get = await send(
      url("police"),
      token,
      { query: `{ reportCounts(${ARGS}) { personId reports } }` },
      {},
      "GET",
    );
    noCounts(get);
    expect(get.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" });
    // Registering the document by its hash (automatic persisted queries) and then sending the hash
    // alone changes nothing: the document is judged like any other.
    const query = `{ reportCounts(${ARGS}) { personId reports } }`;
    const sha256Hash = createHash("sha256").update(query).digest("hex");
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    for (const body of [{ query, extensions }, { extensions }]) {
      const reply = await send(url("police"), token, body);
      noCounts(reply);
    }
  });
});

describe("a user token that claims to be the service", () => {
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  /** Tokens an outsider can make: with the users' key (theirs is valid), or with no key of ours. */
  const forgeries: [string, () => Promise<string>][] = [
    [
      "the identity provider's key, with the service claim",
      async () => {
        const keys = await loadDevKeys(config.DEV_KEYS_DIR);
        return new SignJWT(serviceClaims())
          .setProtectedHeader({ alg: "ES256", kid: keys.privateJwk.kid })
          .sign(await importJWK(keys.privateJwk, "ES256"));
      },
    ],
    [
      "the identity provider's key, the service's kid, no service claim",
      async () => {
        const keys = await loadDevKeys(config.DEV_KEYS_DIR);
        const { service: _s, ...claims } = serviceClaims();
        return new SignJWT(claims)
          .setProtectedHeader({ alg: "ES256", kid: (await serviceKeys(config))!.publicJwk.kid })
          .sign(await importJWK(keys.privateJwk, "ES256"));
      },
    ],
    [
      "an attacker's ES256 key under the service's kid",
      async () => {
        const { privateKey } = await generateKeyPair("ES256");
        return new SignJWT(serviceClaims())
          .setProtectedHeader({ alg: "ES256", kid: (await serviceKeys(config))!.publicJwk.kid })
          .sign(privateKey);
      },
    ],
    ["alg: none", async () => new UnsecuredJWT(serviceClaims()).encode()],
    ...(["JWK", "PEM"] as const).map((form): [string, () => Promise<string>] => [
      `HS256, keyed with the service's public key as ${form} text (key confusion)`,
      async () => {
        const publicJwk = (await serviceKeys(config))!.publicJwk;
        const secret =
          form === "JWK"
            ? JSON.stringify(publicJwk)
            : (createPublicKey({ key: publicJwk as JsonWebKey, format: "jwk" }).export({
                type: "spki",
                format: "pem",
              }) as string);
        return handMade({ alg: "HS256", kid: publicJwk.kid }, serviceClaims(), (input) =>
          createHmac("sha256", secret).update(input).digest("base64url"),
        );
      },
    ]),
    [
      "HS256, keyed with the users' public key (key confusion)",
      async () => {
        const keys = await loadDevKeys(config.DEV_KEYS_DIR);
        const { d: _d, ...publicJwk } = keys.privateJwk;
        return handMade({ alg: "HS256", kid: keys.privateJwk.kid }, serviceClaims(), (input) =>
          createHmac("sha256", JSON.stringify(publicJwk)).update(input).digest("base64url"),
        );
      },
    ],
    [
      "RS256 with an attacker's key under the service's kid",
      async () => {
        const { privateKey } = await generateKeyPair("RS256");
        return new SignJWT(serviceClaims())
          .setProtectedHeader({ alg: "RS256", kid: (await serviceKeys(config))!.publicJwk.kid })
          .sign(privateKey);
      },
    ],
    [
      "EdDSA with an attacker's key",
      async () => {
        const { privateKey } = await generateKeyPair("EdDSA");
        return new SignJWT(serviceClaims()).setProtectedHeader({ alg: "EdDSA" }).sign(privateKey);
      },
    ],
    [
      "an embedded jwk header with the attacker's key",
      async () => {
        const { privateKey, publicKey } = await generateKeyPair("ES256");
        return new SignJWT(serviceClaims())
          .setProtectedHeader({ alg: "ES256", jwk: await exportJWK(publicKey) })
          .sign(privateKey);
      },
    ],
    [
      "jku and x5u headers pointing at an attacker's key",
      async () => {
        const { privateKey } = await generateKeyPair("ES256");
        return new SignJWT(serviceClaims())
          .setProtectedHeader({
            alg: "ES256",
            kid: "attacker",
            jku: "http://127.0.0.1:9/jwks.json",
            x5u: "http://127.0.0.1:9/cert.pem",
          })
          .sign(privateKey);
      },
    ],
    [
      "a real service token with its payload swapped for another agency's",
      async () => {
        const [h, , s] = (await service("council")).split(".");
        return `${h}.${base64url.encode(JSON.stringify({ ...serviceClaims(), agency: "youth" }))}.${s}`;
      },
    ],
    [
      "a real user token with a service claim spliced into its payload",
      async () => {
        const [h, p, s] = (await tokenFor({ agency: "police" })).split(".");
        const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p))) as JWTPayload;
        return `${h}.${base64url.encode(JSON.stringify({ ...claims, service: CASE_REVIEW_COUNT }))}.${s}`;
      },
    ],
    [
      "the identity provider's key, the service's whole identity, an hour long",
      async () => {
        const keys = await loadDevKeys(config.DEV_KEYS_DIR);
        return new SignJWT({ ...serviceClaims(), exp: nowSeconds() + 3600 })
          .setProtectedHeader({ alg: "ES256", kid: keys.privateJwk.kid })
          .sign(await importJWK(keys.privateJwk, "ES256"));
      },
    ],
  ];

  test.each(forgeries)("%s: 401 at every subgraph and at the gateway, no count", async (_, make) => {
    const token = await make();
    for (const target of [...SUBGRAPH_NAMES, "gateway"] as const) {
      const reply = await send(url(target), token, { query: COUNT, variables: VARIABLES });
      noCounts(reply);
      expect({ target, status: reply.status, code: reply.errors![0].extensions?.code }).toEqual({
        target,
        status: 401,
        code: "UNAUTHENTICATED",
      });
    }
  });
});

describe("a user who takes the service's name", () => {
  // The service's user id is what tells its counts apart in every audit record: a person whose
  // identity provider gives them that id (a username they chose, say) would have their own
  // disclosures pass for the threshold sweep's in the audit a DSO reads.
  test.each([CASE_REVIEW_COUNT_USER, "service:anything", "SERVICE:case-review-count"])(
    "a user token whose user id is %s is refused (401) at the gateway and every subgraph, and audits nothing",
    async (user) => {
      // Signed as the identity provider would sign it (npm run token now refuses such a user).
      const keys = await loadDevKeys(config.DEV_KEYS_DIR);
      const token = await new SignJWT({ agency: "council", role: Role.PRACTITIONER })
        .setProtectedHeader({ alg: "ES256", kid: keys.privateJwk.kid })
        .setSubject(user)
        .setIssuer(config.JWT_ISSUER)
        .setAudience(config.JWT_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(await importJWK(keys.privateJwk, "ES256"));
      const audited = () =>
        fed.stores.governance.sql.one<{ n: string }>(
          `SELECT count(*) AS n FROM audit_log WHERE user_id = $1`,
          [user],
        );
      const before = (await audited())!.n;
      // Police records disclosed to the council under its agreement: audited against the reader.
      const query = `query CaseReviewThresholdCount { incidents(filter: { lsoaCodes: ["E01032739"], fromMonth: "2019-01", toMonth: "2019-03" }, first: 3) { edges { node { id category } } } }`;
      const replies = [];
      for (const target of ["gateway", ...SUBGRAPH_NAMES] as const)
        replies.push({
          target,
          ...(await send(url(target), token, { query: target === "gateway" ? query : "{ __typename }" })),
        });
      // Nothing was disclosed under the service's name ...
      expect((await audited())!.n).toBe(before);
      // ... because the token was refused everywhere, before anything ran.
      for (const reply of replies) {
        expect({
          target: reply.target,
          status: reply.status,
          code: reply.errors?.[0]?.extensions?.code,
        }).toEqual({
          target: reply.target,
          status: 401,
          code: "UNAUTHENTICATED",
        });
        expect(reply.errors![0].message).toMatch(/reserved for service identities/);
      }
      // Nor will the development token script make one.
      await expect(tokenFor({ agency: "council", user })).rejects.toThrow(/reserved for service identities/);
    },
  );
});

describe("a token signed with the service key, outside what the service issues", () => {
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => Promise<string>, RegExp][] = [
    ["for another audience", () => serviceSigned({ aud: "another-service" }), /another audience/],
    ["from another issuer", () => serviceSigned({ iss: "https://evil.example" }), /issuer/],
    [
      "expired (replayed after its lifetime)",
      () => serviceSigned({ iat: nowSeconds() - 400, exp: nowSeconds() - 100 }),
      /expired/,
    ],
    [
      "living longer than five minutes",
      () => serviceSigned({ exp: nowSeconds() + 301 }),
      /lives longer than the 300 seconds allowed/,
    ],
    ["with no exp", () => serviceSigned({ exp: undefined }), /exp/],
    ["with no iat", () => serviceSigned({ iat: undefined }), /iat/],
    [
      "issued in the future, so as to live long",
      () => serviceSigned({ iat: nowSeconds() + 86_400, exp: nowSeconds() + 86_400 + 300 }),
      /issued in the future/,
    ],
    ["as another user", () => serviceSigned({ sub: "pc.smith" }), /not the case review count service/],
    [
      "in another role",
      () => serviceSigned({ role: Role.DATA_SHARING_OFFICER }),
      /not the case review count service/,
    ],
    ["as another service", () => serviceSigned({ service: "ADMIN" }), /not the case review count service/],
    ["for no agency", () => serviceSigned({ agency: "" }), /not the case review count service/],
    ["for an unregistered agency", () => serviceSigned({ agency: "acme" }), /not a registered/],
    [
      "with alg HS256 in its header",
      async () => {
        const [, p, s] = (await serviceSigned({})).split(".");
        return `${base64url.encode(JSON.stringify({ alg: "HS256" }))}.${p}.${s}`;
      },
      /signing algorithm is not accepted/,
    ],
  ];

  test.each(cases)("%s: 401 at every subgraph", async (_, make, message) => {
    const token = await make();
    for (const target of SUBGRAPH_NAMES) {
      const reply = await send(url(target), token, { query: COUNT, variables: VARIABLES });
      noCounts(reply);
      expect({ target, status: reply.status }).toEqual({ target, status: 401 });
      expect(reply.errors![0].message).toMatch(message);
    }
  });

  test("a service token used again after it expired is refused, though it was accepted (and remembered) before", async () => {
    const token = await serviceSigned({ exp: nowSeconds() + 2 });
    const first = await send(url("police"), token, { query: COUNT, variables: VARIABLES });
    expect(first.errors).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 3100));
    const again = await send(url("police"), token, { query: COUNT, variables: VARIABLES });
    expect(again.status).toBe(401);
    expect(again.errors![0].message).toMatch(/expired/);
    noCounts(again);
  });

  test("the gateway refuses a genuine service token: 401 before planning", async () => {
    const before = fed.statements();
    const reply = await send(url("gateway"), await service(), { query: `{ __typename }` });
    expect(reply.status).toBe(401);
    expect(reply.errors![0].message).toMatch(/service tokens are not accepted/);
    expect(fed.statements()).toEqual(before);
  });
});

describe("a genuine service token reaches reportCounts and nothing else", () => {
  const forbidden = (reply: Reply) => {
    expect(reply.data ?? null).toBeNull();
    expect(reply.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" });
  };
  const documents: [string, SubgraphName, string][] = [
    [
      "another field, aliased as reportCounts",
      "police",
      `{ reportCounts: reportsMade(personIds: null) { personId reportedAt } }`,
    ],
    [
      "another field in a fragment beside the counts",
      "council",
      `query Q($p: [ID!]!, $from: DateTime!, $to: DateTime!) { reportCounts(personIds: $p, from: $from, to: $to) { personId reports } ...F } fragment F on Query { reportsMade(personIds: $p) { personId reportedAt } }`,
    ],
    [
      "another field in an inline fragment",
      "housing",
      `query Q($p: [ID!]!, $from: DateTime!, $to: DateTime!) { reportCounts(personIds: $p, from: $from, to: $to) { personId } ... on Query { person: _entities(representations: [{ __typename: "Person", id: "per-000001" }]) { __typename } } }`,
    ],
    ["reference data", "police", `{ __typename agencies: _service { sdl } }`],
    [
      "a type's introspection beside the counts",
      "police",
      `query Q($p: [ID!]!, $from: DateTime!, $to: DateTime!) { reportCounts(personIds: $p, from: $from, to: $to) { personId } __type(name: "Incident") { fields { name } } }`,
    ],
    ["a mutation", "governance", `mutation { markNotificationsRead(ids: []) { id } }`],
    ["a mutation that asks for no field at all", "partnership", `mutation { __typename }`],
    ["partnership's candidates", "partnership", `{ caseReviewCandidates { reports } }`],
    ["governance's notifications", "governance", `{ notifications { totalCount } }`],
  ];

  test.each(documents)("%s: refused before anything runs", async (_, target, query) => {
    const before = fed.statements()[target];
    const reply = await send(url(target), await service(), { query, variables: VARIABLES });
    forbidden(reply);
    // Not one statement on the subgraph's own store: nothing ran.
    expect(fed.statements()[target]).toBe(before);
  });

  test("a second operation in the same document is judged too, whichever is chosen", async () => {
    const query = `${COUNT} query Other { reportsMade(personIds: null) { personId reportedAt } } mutation M { __typename }`;
    for (const operationName of ["CaseReviewThresholdCount", "Other", "M"]) {
      const reply = await send(url("police"), await service(), {
        query,
        variables: VARIABLES,
        operationName,
      });
      forbidden(reply);
    }
  });

  test("batched, or as a GET with another field, it is refused too", async () => {
    const token = await service();
    const batched = await send(url("police"), token, [
      { query: COUNT, variables: VARIABLES },
      { query: `{ reportsMade(personIds: null) { personId reportedAt } }` },
    ]);
    expect(batched.status).toBe(400);
    noCounts(batched);
    const get = await send(
      url("police"),
      token,
      { query: `{ reportCounts(${ARGS}) { personId } reportsMade(personIds: null) { reportedAt } }` },
      {},
      "GET",
    );
    forbidden(get);
  });

  test("under another purpose, or breaking glass, the counts are refused", async () => {
    const token = await service();
    for (const headers of [
      { "x-purpose": Purpose.SAFEGUARDING, "x-break-glass": "a child at immediate risk" } as Record<
        string,
        string
      >,
      { "x-purpose": Purpose.SAFEGUARDING },
      { "x-purpose": Purpose.STATISTICS },
      { "x-purpose": Purpose.CRIME_PREVENTION },
    ]) {
      const reply = await send(url("police"), token, { query: COUNT, variables: VARIABLES }, headers);
      noCounts(reply);
      expect({ headers, ...reply.errors![0].extensions }).toMatchObject({ headers, code: "FORBIDDEN" });
    }
  });
});

describe("what the counts disclose: only what the recipient agency may know, never more than its own practitioners see", () => {
  // The demo's 600 people over its months (2019-01 to 2019-06), well inside one span.
  const everyone = Array.from({ length: 600 }, (_, i) => `per-${String(i + 1).padStart(6, "0")}`);
  const WIDE = { p: everyone, from: "2018-07-01T00:00:00Z", to: "2020-01-01T00:00:00Z" };
  type Count = { personId: string; reports: number };
  const counts = async (owner: (typeof OWNERS)[number], forAgency: string): Promise<Count[]> => {
    const reply = await send(url(owner), await service(forAgency), { query: COUNT, variables: WIDE });
    expect({ owner, forAgency, errors: reply.errors }).toEqual({ owner, forAgency, errors: undefined });
    return (reply.data!.reportCounts as Count[]).sort((a, b) => a.personId.localeCompare(b.personId));
  };

  test("each owner counts its own reports for itself (the demo has some), and for a partner the agreement covers", async () => {
    for (const owner of OWNERS)
      expect({ owner, n: (await counts(owner, owner)).length > 0 }).toEqual({ owner, n: true });
    // Police share incident summaries with the council for ASB case management: the same counts.
    expect(await counts("police", "council")).toEqual(await counts("police", "police"));
  });

  test("for an agency with no agreement for ASB case management (youth), no owner counts anything", async () => {
    for (const owner of OWNERS)
      expect({ owner, counted: await counts(owner, "youth") }).toEqual({ owner, counted: [] });
  });

  test("where the agreement asks for consent, nothing is counted, not even for a person who consented", async () => {
    const reporter = (await counts("housing", "housing"))[0].personId;
    expect((await counts("housing", "council")).map((c) => c.personId)).toContain(reporter);
    const governance = fed.stores.governance.sql;
    await governance.exec(
      `UPDATE agreements SET consent_required_for = consent_required_for || '{TENANCY}' WHERE id = 'agr-housing-council'`,
    );
    await governance.exec(
      `INSERT INTO consents (id, person_id, recipient_agency_id, provider_agency_id, purposes, categories, given_by,
                             given_at, evidence_ref, recorded_by_agency_id, recorded_by, recorded_at)
       VALUES ('con-service-attack', $1, 'council', 'housing', '{ASB_CASE_MANAGEMENT}', '{TENANCY}', 'SELF',
               now() - interval '1 hour', 'service-identity-attack', 'housing', 'housing.dso', now())`,
      [reporter],
    );
    try {
      // The count is decided for the agency as a whole: one person's consent releases no count,
      // as caseReviewCandidates leaves a consenting person's reports out of the total.
      expect(await counts("housing", "council")).toEqual([]);
    } finally {
      await governance.exec(`DELETE FROM consents WHERE id = 'con-service-attack'`);
      await governance.exec(
        `UPDATE agreements SET consent_required_for = array_remove(consent_required_for, 'TENANCY') WHERE id = 'agr-housing-council'`,
      );
    }
  });

  test("the threshold's yes never names anyone the agency's own caseReviewCandidates would not", async () => {
    const CANDIDATES = `{ caseReviewCandidates(windowMonths: 6, threshold: 3) { person { id } } }`;
    const owners = { police: url("police"), council: url("council"), housing: url("housing") };
    const count = countFromOwners(
      config,
      (name) => owners[name as keyof typeof owners] ?? "http://127.0.0.1:9/",
    );
    let said = 0;
    for (const agency of ["police", "council", "housing", "youth"]) {
      const candidates = await fed.query<{ caseReviewCandidates: { person: { id: string } }[] }>(
        CANDIDATES,
        {},
        { agency, purpose: Purpose.ASB_CASE_MANAGEMENT },
      );
      expect(candidates.errors).toBeUndefined();
      const shown = new Set(candidates.data!.caseReviewCandidates.map((c) => c.person.id));
      for (const end of ["2019-04-01", "2019-06-01", "2019-07-01"]) {
        const met = await count(agency, everyone, new Date(`${end}T00:00:00Z`));
        said += met.size;
        expect({ agency, end, beyond: [...met].filter((p) => !shown.has(p)) }).toEqual({
          agency,
          end,
          beyond: [],
        });
      }
    }
    // Some yes was said, so the comparison is not empty.
    expect(said).toBeGreaterThan(0);
  });
});
