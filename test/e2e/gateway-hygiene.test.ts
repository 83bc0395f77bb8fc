import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Kind, parse, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { createGatewayServer } from "../../gateway/server";
import { createTokenVerifier } from "../../subgraphs/shared/auth";
import { governanceAgencyRegistry } from "../../subgraphs/shared/access/registry";
import { SUBGRAPH_NAMES, type SubgraphName } from "../../subgraphs/shared/config";
import { CASE_NEIGHBOURHOODS } from "../../subgraphs/shared/demo/world";
import type { RunningService } from "../../subgraphs/shared/http";
import { contractOperations } from "../support/contract";
import { startTestFederation, supergraphFromCode, type TestFederation } from "../support/federation";
import { graphql, testConfig, tokenFor, type As } from "../support/graphql";
import { identityEnv, startIdentityProvider, type TestIdentityProvider } from "../support/jwks";

let fed: TestFederation;
beforeAll(async () => {
  fed = await startTestFederation();
}, 180_000);
afterAll(() => fed?.stop());

const police: As = { agency: "police", purpose: "CRIME_PREVENTION" };
const area = `filter: { lsoaCodes: ["E01032739"], fromMonth: "2019-01", toMonth: "2019-03" }`;

interface Reply {
  status: number;
  text: string;
  contentType: string | null;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
  };
}

/** A raw HTTP call, for what the GraphQL helper hides: status, headers and bodies that are not JSON. */
async function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const response = await fetch(url, {
    method: init.method ?? "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: init.body,
  });
  const text = await response.text();
  let body: Reply["body"] = {};
  try {
    body = JSON.parse(text) as Reply["body"];
  } catch {
    // Not JSON (an HTML page): the text says what it was.
  }
  return { status: response.status, text, contentType: response.headers.get("content-type"), body };
}

async function headersFor(as: As): Promise<Record<string, string>> {
  const headers: Record<string, string> = { authorization: `Bearer ${await tokenFor(as)}` };
  if (as.purpose) headers["x-purpose"] = as.purpose;
  if (as.breakGlass) headers["x-break-glass"] = as.breakGlass;
  return headers;
}

function messages(reply: { body: Reply["body"] } | { errors?: { message: string }[] }): string {
  const errors = "body" in reply ? reply.body.errors : reply.errors;
  return (errors ?? []).map((e) => e.message).join("\n");
}

/** Field depth of a selection set, through inline fragments. */
function depthOf(set: SelectionSetNode | undefined): number {
  if (!set) return 0;
  return Math.max(
    ...set.selections.map((s) =>
      s.kind === Kind.FIELD
        ? 1 + depthOf(s.selectionSet)
        : depthOf((s as { selectionSet?: SelectionSetNode }).selectionSet),
    ),
  );
}

describe("operation limits", () => {
  const config = testConfig();

  /** Refused at validation: a 400 naming the limit, and no subgraph runs a statement. */
  async function expectRefused(query: string, limit: RegExp) {
    const before = fed.statements();
    const reply = await send(fed.gatewayUrl, {
      headers: await headersFor(police),
      body: JSON.stringify({ query }),
    });
    expect(reply.status).toBe(400);
    expect(reply.body.data).toBeUndefined();
    expect(messages(reply)).toMatch(limit);
    expect(fed.statements()).toEqual(before);
  }

  const nest = (levels: number): string => {
    // incidents > edges > node > involvements > person > incidents > ... : five levels a turn.
    let inner = "id";
    for (let i = 0; i < levels; i++)
      inner = `incidents(first: 1) { edges { node { involvements { person { ${inner} } } } } }`;
    return inner;
  };

  it("refuses an operation deeper than the limit", async () => {
    const query = `{ incidents(${area}, first: 1) { edges { node { involvements { person { ${nest(2)} } } } } } }`;
    expect(depthOf(parseSelection(query))).toBeGreaterThan(config.GATEWAY_MAX_DEPTH);
    await expectRefused(query, /depth/i);
  });

  it("refuses more aliases than the limit", async () => {
    // The same costly list asked for again and again under new names.
    const aliases = Array.from(
      { length: config.GATEWAY_MAX_ALIASES + 1 },
      (_, i) => `a${i}: incidents(${area}, first: 1) { totalCount }`,
    );
    await expectRefused(`{ ${aliases.join(" ")} }`, /alias/i);
  });

  it("refuses more tokens than the limit", async () => {
    await expectRefused(`{ ${"__typename ".repeat(config.GATEWAY_MAX_TOKENS)} }`, /more tha.? \d+ tokens/i);
  });

  it("refuses an operation costlier than the limit, though shallow and short, saying what it costs", async () => {
    // A page of 100 incidents, each with every involved person's 100 incidents.
    const query = `{ incidents(${area}, first: 100) { edges { node { involvements { person { incidents(first: 100) { totalCount } } } } } } }`;
    await expectRefused(query, new RegExp(`^query cost \\d+ exceeds the limit ${config.GATEWAY_MAX_COST}$`));
  });

  it.each([
    ["a literal", `{ incidents(${area}, first: 100000) { edges { node { id } } } }`, {}],
    ["a variable", `query ($n: Int) { incidents(${area}, first: $n) { edges { node { id } } } }`, { n: 501 }],
  ])(
    "refuses a page larger than the largest, given as %s, naming first and the largest",
    async (_how, query, variables) => {
      const before = fed.statements();
      const reply = await send(fed.gatewayUrl, {
        headers: await headersFor(police),
        body: JSON.stringify({ query, variables }),
      });
      expect(reply.status).toBe(400);
      expect(reply.body.data).toBeUndefined();
      // The page size, not the cost it would make: a client knows what to change.
      expect(reply.body.errors).toEqual([
        expect.objectContaining({
          message: "first: must be between 0 and 500 (the largest page)",
          extensions: { code: "BAD_USER_INPUT", argument: "first" },
        }),
      ]);
      expect(fed.statements()).toEqual(before);
    },
  );

  it("lets the contract's deepest operation through", async () => {
    const deepest = contractOperations()
      .map((o) => ({ ...o, depth: depthOf(o.operation.selectionSet) }))
      .sort((a, b) => b.depth - a.depth)[0];
    expect(deepest.name).toBe("IncidentsInArea");
    const response = await fed.query(
      deepest.source,
      { lsoaCodes: CASE_NEIGHBOURHOODS, fromMonth: "2019-01", toMonth: "2019-06", first: 50 },
      { ...police, operationName: deepest.name },
    );
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    expect((response.data as { incidents: { edges: unknown[] } }).incidents.edges.length).toBeGreaterThan(0);
  });
});

function parseSelection(query: string): SelectionSetNode {
  return (parse(query).definitions[0] as OperationDefinitionNode).selectionSet;
}

describe("validation errors suggest nothing", () => {
  it.each([
    ["a misspelt field", `{ incidentz { totalCount } }`, {}],
    ["a misspelt argument", `{ incidents(${area}, frist: 1) { totalCount } }`, {}],
    ["a misspelt input field", `{ incidents(filter: { lsoaCode: ["E01032739"] }) { totalCount } }`, {}],
    ["a misspelt type", `query ($f: IncidentFiltr) { incidents(filter: $f) { totalCount } }`, {}],
    [
      "a misspelt enum value",
      `{ incidents(filter: { lsoaCodes: ["E01032739"], categories: [BURGLAR] }) { totalCount } }`,
      {},
    ],
    [
      "a misspelt enum value in a variable",
      `query ($c: [CrimeCategory!]) { incidents(filter: { lsoaCodes: ["E01032739"], categories: $c }) { totalCount } }`,
      { c: ["BURGLAR"] },
    ],
  ])("%s", async (_name, query, variables) => {
    const response = await fed.query(query, variables, police);
    expect(response.status).toBe(400);
    expect(response.errors?.length).toBeGreaterThan(0);
    expect(messages(response)).not.toMatch(/did you mean/i);
    // Nor any other way of naming a field the caller did not ask for.
    expect(messages(response)).not.toMatch(/totalCount"|lsoaCodes"|"first"|BURGLARY|"IncidentFilter"\?/);
  });

  it("nor does a subgraph called directly", async () => {
    const typo = `{ incidentz { totalCount } }`;
    const response = await graphql(fed.federation.subgraphs.police.url, typo, {}, police);
    expect(response.status).toBe(400);
    expect(messages(response)).toMatch(/Cannot query field "incidentz"/);
    expect(messages(response)).not.toMatch(/did you mean|"incidents"/i);
  });
});

describe("requests", () => {
  it.each([
    ["just over the limit", 1],
    ["many times the limit", 50],
  ])("refuses a body %s with 413", async (_name, times) => {
    const limit = testConfig().GATEWAY_BODY_LIMIT_BYTES;
    const reply = await send(fed.gatewayUrl, {
      headers: await headersFor(police),
      body: JSON.stringify({ query: "{ __typename }", variables: { padding: "x".repeat(limit * times) } }),
    });
    expect(reply.status).toBe(413);
    expect(reply.body.errors?.[0].extensions?.code).toBe("PAYLOAD_TOO_LARGE");
    expect(reply.body.errors?.[0].message).toContain(`${limit} bytes`);
  });

  it("refuses a streamed body (no content-length) over the limit with 413", async () => {
    const limit = testConfig().GATEWAY_BODY_LIMIT_BYTES;
    const chunk = new TextEncoder().encode("x".repeat(16_384));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > limit * 2) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(fed.gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await headersFor(police)) },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as Reply["body"]).errors?.[0].extensions?.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("takes a body just under the limit", async () => {
    const reply = await send(fed.gatewayUrl, {
      headers: await headersFor(police),
      body: JSON.stringify({ query: "{ __typename }", variables: { padding: "x".repeat(50_000) } }),
    });
    expect(reply.status).toBe(200);
  });

  it("refuses an unknown x-purpose with a 400 naming the header", async () => {
    const before = fed.statements();
    const reply = await send(fed.gatewayUrl, {
      headers: { ...(await headersFor(police)), "x-purpose": "CURIOSITY" },
      body: JSON.stringify({ query: `{ incidents(${area}) { totalCount } }` }),
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0].message).toMatch(
      /x-purpose: unknown purpose "CURIOSITY"; expected one of .*SAFEGUARDING/,
    );
    expect(reply.body.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(fed.statements()).toEqual(before);
  });

  it.each([
    [
      "too short a justification",
      "SAFEGUARDING",
      "urgent",
      /x-break-glass: the justification must hold at least 20 visible characters/,
    ],
    [
      "a purpose other than SAFEGUARDING",
      "CRIME_PREVENTION",
      "Child at immediate risk, duty inspector authorised",
      /x-break-glass: break-glass is only for SAFEGUARDING, not CRIME_PREVENTION/,
    ],
    [
      "no purpose",
      undefined,
      "Child at immediate risk, duty inspector authorised",
      /x-break-glass: .*SAFEGUARDING/,
    ],
    ["an empty justification", "SAFEGUARDING", "   ", /x-break-glass: no justification was given/],
  ])("refuses break-glass with %s with a 400", async (_name, purpose, breakGlass, message) => {
    const before = fed.statements();
    const reply = await send(fed.gatewayUrl, {
      headers: await headersFor({ agency: "police", purpose, breakGlass }),
      body: JSON.stringify({ query: `{ incidents(${area}) { totalCount } }` }),
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0].message).toMatch(message);
    expect(fed.statements()).toEqual(before);
  });

  it("serves GraphiQL to a browser outside production", async () => {
    const reply = await send(fed.gatewayUrl, { method: "GET", headers: { accept: "text/html" } });
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/text\/html/);
    expect(reply.text).toMatch(/GraphiQL/);
  });
});

describe("a slow subgraph", () => {
  const TIMEOUT_MS = 500;
  let slow: Server;
  let gateway: RunningService;
  let slowCalls = 0;

  beforeAll(async () => {
    // Answers nothing for far longer than the timeout: a subgraph stuck on a lock, say.
    slow = createServer((_req, res) => {
      slowCalls += 1;
      const timer = setTimeout(() => res.end("{}"), 30_000);
      res.on("close", () => clearTimeout(timer));
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const urls = Object.fromEntries(
      SUBGRAPH_NAMES.map((n) => [n, fed.federation.subgraphs[n].url]),
    ) as Record<SubgraphName, string>;
    urls.partnership = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/graphql`;
    const config = testConfig({ SUBGRAPH_TIMEOUT_MS: String(TIMEOUT_MS) });
    const server = await createGatewayServer({
      config,
      verify: await createTokenVerifier(config, governanceAgencyRegistry(fed.stores.governance.sql)),
      supergraphSdl: await supergraphFromCode(),
      subgraphUrls: urls,
    });
    gateway = await server.listen(0);
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    slow?.closeAllConnections();
    await new Promise<void>((resolve) => (slow ? slow.close(() => resolve()) : resolve()));
  });

  it("is cut off by SUBGRAPH_TIMEOUT_MS: police's incidents arrive, what needs partnership fails naming it", async () => {
    // Police's incidents with housing's tenancies under the people involved, and partnership's person alongside.
    const query = `query Mixed($lsoaCodes: [String!]!) {
      incidents(filter: { lsoaCodes: $lsoaCodes, fromMonth: "2019-01", toMonth: "2019-06" }, first: 20) {
        totalCount
        edges { node { id category involvements { role person { id tenancies(first: 3) { totalCount } } } } }
      }
      person(id: "per-000002") { id displayName }
    }`;
    const started = Date.now();
    const response = await graphql<{
      incidents: {
        totalCount: number;
        edges: { node: { involvements: { person: { tenancies: { totalCount: number } | null } }[] } }[];
      };
      person: unknown;
    }>(
      gateway.url,
      query,
      { lsoaCodes: CASE_NEIGHBOURHOODS },
      { agency: "council", purpose: "ASB_CASE_MANAGEMENT" },
    );
    const elapsed = Date.now() - started;
    expect(slowCalls).toBeGreaterThan(0);
    // Cut off at the timeout, not when the stub would have answered.
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 4000);
    expect(response.status).toBe(200);
    // Police answered in full.
    expect(response.data!.incidents.edges.length).toBeGreaterThan(0);
    const involved = response.data!.incidents.edges.flatMap((e) => e.node.involvements.map((i) => i.person));
    expect(involved.length).toBeGreaterThan(0);
    // Whose records a person has (itself and those merged into it) comes from partnership's people
    // index (Person.personIds, @requires): with it cut off, housing's lists under people are not
    // answered rather than guessed. Every error names partnership and why.
    expect(involved.every((p) => p.tenancies === null)).toBe(true);
    expect(response.data!.person).toBeNull();
    expect(response.errors!.length).toBeGreaterThan(0);
    for (const error of response.errors!)
      expect(error).toEqual(
        expect.objectContaining({
          message: `the partnership service is unavailable: no answer within ${TIMEOUT_MS} ms`,
          extensions: expect.objectContaining({ code: "SUBGRAPH_UNAVAILABLE", serviceName: "partnership" }),
        }),
      );
  });
});

describe("in production", () => {
  let idp: TestIdentityProvider;
  let prod: TestFederation;
  let token: string;
  beforeAll(async () => {
    idp = await startIdentityProvider();
    // Fresh databases: one test breaks a store on purpose.
    prod = await startTestFederation({ fresh: true, env: { NODE_ENV: "production", ...identityEnv(idp) } });
    token = await idp.sign({ sub: "pc.jones", agency: "police", role: "PRACTITIONER" });
  }, 180_000);
  afterAll(async () => {
    await prod?.stop();
    await idp?.stop();
  });

  const call = (query: string, headers: Record<string, string> = {}) =>
    send(prod.gatewayUrl, {
      headers: { authorization: `Bearer ${token}`, "x-purpose": "CRIME_PREVENTION", ...headers },
      body: JSON.stringify({ query }),
    });

  it("answers a good query", async () => {
    const reply = await call(`{ incidents(${area}) { totalCount } }`);
    expect(reply.status).toBe(200);
    expect(reply.body.errors).toBeUndefined();
  });

  it.each([
    ["__schema", `{ __schema { types { name } } }`],
    ["__type", `{ __type(name: "Incident") { fields { name } } }`],
  ])("refuses introspection (%s)", async (_name, query) => {
    const reply = await call(query);
    expect(reply.status).toBe(400);
    expect(reply.body.data).toBeUndefined();
    expect(messages(reply)).toMatch(/introspection/i);
    expect(reply.text).not.toMatch(/"Incident"|"fields"/);
  });

  it("does not serve GraphiQL", async () => {
    const reply = await send(prod.gatewayUrl, { method: "GET", headers: { accept: "text/html" } });
    expect(reply.contentType ?? "").not.toMatch(/text\/html/);
    expect(reply.text).not.toMatch(/graphiql/i);
    const asset = await send(prod.gatewayUrl.replace(/\/graphql$/, "/graphiql/graphiql.js"), {
      method: "GET",
    });
    expect(asset.status).toBe(404);
  });

  /** Every error is the bare "internal error": no message, stack or extension of the cause. */
  function expectMasked(reply: Reply) {
    expect(reply.body.errors?.length).toBeGreaterThan(0);
    for (const error of reply.body.errors!) {
      expect(error.message).toBe("internal error");
      expect(Object.keys(error.extensions ?? {})).toEqual(["code"]);
      expect(error.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    }
    expect(reply.text).not.toMatch(/relation|SELECT|FROM|syntax|\.ts:\d+|at .*\(|127\.0\.0\.1|postgres/i);
  }

  it("masks an internal error: no stack or SQL", async () => {
    const police = prod.stores.police.sql;
    // A store broken under the running service, as a bad migration or a dropped table would.
    await police.exec(`ALTER TABLE incidents RENAME TO incidents_broken`);
    try {
      const reply = await call(
        `{ incidents(${area}, first: 5) { totalCount edges { node { id category } } } }`,
      );
      expectMasked(reply);
      expect(reply.text).not.toMatch(/incidents_broken/);
    } finally {
      await police.exec(`ALTER TABLE incidents_broken RENAME TO incidents`);
    }
    // Restored: the next request is served again.
    expect((await call(`{ incidents(${area}) { totalCount } }`)).body.errors).toBeUndefined();
  });

  it("masks an internal error that would quote personal data", async () => {
    const query = `{ person(id: "per-000002") { givenName familyName } }`;
    const intact = await call(query);
    const { givenName, familyName } = (
      intact.body.data as { person: { givenName: string; familyName: string } }
    ).person;
    const partnership = prod.stores.partnership.sql;
    // PostgreSQL quotes the offending value in a cast error: here, the person's own name.
    await partnership.exec(`ALTER TABLE people RENAME TO people_intact`);
    await partnership.exec(
      `CREATE VIEW people AS SELECT * FROM people_intact p WHERE p.given_name::int IS NOT NULL`,
    );
    try {
      const reply = await call(query);
      expectMasked(reply);
      expect(reply.text).not.toContain(givenName);
      expect(reply.text).not.toContain(familyName);
    } finally {
      await partnership.exec(`DROP VIEW people`);
      await partnership.exec(`ALTER TABLE people_intact RENAME TO people`);
    }
    expect((await call(query)).body.data).toEqual(intact.body.data);
  });

  it("masks a subgraph that is down: no internal address", async () => {
    const stub = createServer((req) => req.socket.destroy());
    await new Promise<void>((resolve) => stub.listen(0, "127.0.0.1", resolve));
    const config = testConfig({
      NODE_ENV: "production",
      ...identityEnv(idp),
    });
    const urls = Object.fromEntries(
      SUBGRAPH_NAMES.map((n) => [n, prod.federation.subgraphs[n].url]),
    ) as Record<SubgraphName, string>;
    urls.police = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/graphql`;
    const gateway = await (
      await createGatewayServer({
        config,
        verify: await createTokenVerifier(config, governanceAgencyRegistry(prod.stores.governance.sql)),
        supergraphSdl: await supergraphFromCode(),
        subgraphUrls: urls,
      })
    ).listen(0);
    try {
      const reply = await send(gateway.url, {
        headers: { authorization: `Bearer ${token}`, "x-purpose": "CRIME_PREVENTION" },
        body: JSON.stringify({ query: `{ incidents(${area}) { totalCount } }` }),
      });
      expect(reply.body.errors).toEqual([
        {
          message: "the police service is unavailable: it could not be reached",
          path: ["incidents"],
          extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "police" },
        },
      ]);
      expect(reply.text).not.toMatch(/127\.0\.0\.1|ECONNRESET|socket|localhost|stacktrace/i);
    } finally {
      await gateway.stop();
      stub.close();
    }
  });
});
