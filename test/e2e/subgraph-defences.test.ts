import type { AddressInfo } from "node:net";
import { governanceAgencyRegistry } from "../../subgraphs/shared/access/registry";
import { governancePolicyStore } from "../../subgraphs/shared/access/facts-store";
import { createTokenVerifier } from "../../subgraphs/shared/auth";
import { SUBGRAPH_NAMES, type SubgraphName } from "../../subgraphs/shared/config";
import { CASE_NEIGHBOURHOODS } from "../../subgraphs/shared/demo/world";
import { Role } from "../../subgraphs/shared/enums";
import { createSubgraphServer } from "../../subgraphs/shared/subgraph";
import { police as policeSubgraph } from "../../subgraphs/police/server";
import { startTestFederation, type TestFederation } from "../support/federation";
import { testConfig, tokenFor, type As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

let fed: TestFederation;
beforeAll(async () => {
  fed = await startTestFederation();
}, 180_000);
afterAll(() => fed?.stop());

const police: As = { agency: "police", purpose: "CRIME_PREVENTION" };
const policeDso: As = { agency: "police", role: Role.DATA_SHARING_OFFICER, purpose: "CRIME_PREVENTION" };
const council: As = { agency: "council", purpose: "ASB_CASE_MANAGEMENT" };

interface Reply {
  status: number;
  text: string;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}

/** A raw HTTP call: the status matters as much as the body. */
async function send(url: string, as: As, payload: Record<string, unknown> | string): Promise<Reply> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    authorization: `Bearer ${await tokenFor(as)}`,
  };
  if (as.purpose) headers["x-purpose"] = as.purpose;
  const response = await fetch(url, {
    method: "POST",
    headers,
    body: typeof payload === "string" ? payload : JSON.stringify(payload),
  });
  const text = await response.text();
  let body: Reply["body"] = {};
  try {
    body = JSON.parse(text) as Reply["body"];
  } catch {
    // Not JSON: the text says what it was.
  }
  return { status: response.status, text, body };
}

const subgraphUrl = (name: SubgraphName) => fed.federation.subgraphs[name].url;
const messages = (reply: Reply) => (reply.body.errors ?? []).map((e) => e.message).join("\n");

/** SQL on every store, decisions and audit included: a refusal before execution runs none. */
function sqlSoFar(): string {
  return JSON.stringify([fed.statements(), fed.policyStatements()]);
}

/** PostgreSQL's own words, which must never reach a caller. */
const POSTGRES_WORDS =
  /invalid input|out of range|byte sequence|violates|duplicate key|relation|syntax error|SQLSTATE|postgres|bigint|integer/i;

describe("a subgraph called directly enforces the gateway's operation limits", () => {
  async function expectRefused(name: SubgraphName, query: string, limit: RegExp, as: As = police) {
    const before = sqlSoFar();
    const reply = await send(subgraphUrl(name), as, { query });
    expect(reply.status).toBe(400);
    expect(reply.body.data).toBeUndefined();
    expect(messages(reply)).toMatch(limit);
    expect(sqlSoFar()).toEqual(before);
  }

  it("refuses a 40-level query", async () => {
    // incidents > edges > node > involvements > person: five levels a turn, eight turns.
    let inner = "id";
    for (let i = 0; i < 8; i++)
      inner = `incidents(first: 1) { edges { node { involvements { person { ${inner} } } } } }`;
    const query = `{ incidents(filter: { lsoaCodes: ["E01032739"] }, first: 1) { edges { node { involvements { person { ${inner} } } } } } }`;
    await expectRefused("police", query, /depth/i);
  });

  it("refuses 100 aliased searches", async () => {
    const searches = Array.from(
      { length: 100 },
      (_, i) => `s${i}: people(search: "smith", first: 50) { totalCount }`,
    );
    await expectRefused("partnership", `{ ${searches.join(" ")} }`, /alias/i);
  });

  it.each(SUBGRAPH_NAMES.map((name) => [name]))(
    "%s refuses more aliases, tokens and bytes than the gateway",
    async (name) => {
      const config = testConfig();
      const aliases = Array.from(
        { length: config.GATEWAY_MAX_ALIASES + 1 },
        (_, i) => `a${i}: _service { __typename }`,
      );
      await expectRefused(name, `{ ${aliases.join(" ")} }`, /alias/i);
      await expectRefused(
        name,
        `{ ${"__typename ".repeat(config.GATEWAY_MAX_TOKENS)} }`,
        /more tha.? \d+ tokens/i,
      );
      const tooLarge = await send(subgraphUrl(name), police, {
        query: "{ __typename }",
        variables: { padding: "x".repeat(config.GATEWAY_BODY_LIMIT_BYTES) },
      });
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.body.errors?.[0].extensions?.code).toBe("PAYLOAD_TOO_LARGE");
    },
  );

  /** Four pages of 500 from a list each subgraph holds: shallow and short, but costlier than the limit. */
  const fourPages = (list: string) =>
    Array.from({ length: 4 }, (_, i) => `p${i}: ${list} { edges { node { id } } }`).join(" ");
  const ofPerson = (lists: string) =>
    `{ _entities(representations: [{ __typename: "Person", id: "per-000002" }]) { ... on Person { ${lists} } } }`;
  const COSTLY: Record<SubgraphName, string> = {
    police: `{ ${fourPages(`incidents(filter: { lsoaCodes: ["E01032739"] }, first: 500)`)} }`,
    council: `{ ${fourPages("asbCases(first: 500)")} }`,
    youth: ofPerson(fourPages("referrals(first: 500)")),
    housing: ofPerson(fourPages("tenancies(first: 500)")),
    partnership: `{ ${fourPages(`people(search: "smith", first: 500)`)} }`,
    governance: `{ ${fourPages(`disclosures(personId: "per-000002", first: 500)`)} }`,
  };

  it.each(SUBGRAPH_NAMES.map((name) => [name]))(
    "%s refuses an operation costlier than the limit, saying what it costs",
    async (name) => {
      const max = testConfig().GATEWAY_MAX_COST;
      await expectRefused(name, COSTLY[name], new RegExp(`^query cost \\d+ exceeds the limit ${max}$`));
      // Each of the four pages alone is within the limit: the cost, not the page, is refused.
      const one = await send(subgraphUrl(name), police, {
        query: COSTLY[name].replace(/ p[123]: .*?\{ edges \{ node \{ id \} \} \}/g, ""),
      });
      expect(messages(one)).not.toMatch(/cost|first/);
    },
  );

  it("listens on loopback only unless HOST says otherwise", async () => {
    for (const name of SUBGRAPH_NAMES)
      expect((fed.federation.subgraphs[name].server.address() as AddressInfo).address).toBe("127.0.0.1");
    // In a container (docker-compose, Kubernetes) HOST=0.0.0.0 lets the gateway's container reach it.
    const config = testConfig({ HOST: "0.0.0.0" });
    const server = await createSubgraphServer(policeSubgraph, {
      config,
      store: fed.stores.police,
      verify: await createTokenVerifier(config, governanceAgencyRegistry(fed.stores.governance.sql)),
      policy: governancePolicyStore(fed.stores.governance.sql),
    });
    const running = await server.listen(0);
    try {
      expect((running.server.address() as AddressInfo).address).toBe("0.0.0.0");
    } finally {
      await running.stop();
    }
  });
});

const cursor = (text: string) => Buffer.from(text).toString("base64url");
const INCIDENTS = `query ($after: String, $from: String) {
  incidents(filter: { lsoaCodes: ["E01032739"], fromMonth: $from }, first: 5, after: $after) { totalCount }
}`;

/** [what, subgraph that holds the field, operation, variables, argument named, caller] */
type BadInput = [string, SubgraphName, string, Record<string, unknown>, string, As];
const BAD_INPUT: BadInput[] = [
  ["a cursor encoding 1e24", "police", INCIDENTS, { after: cursor("o:1e24") }, "after", police],
  ["a cursor past any page", "police", INCIDENTS, { after: cursor("o:99999999999") }, "after", police],
  ["a cursor of garbage base64", "police", INCIDENTS, { after: "%%%not-base64%%%" }, "after", police],
  ["a cursor of base64 that is no cursor", "police", INCIDENTS, { after: cursor("nope") }, "after", police],
  ["fromMonth 0001-01", "police", INCIDENTS, { from: "0001-01" }, "filter.fromMonth", police],
  [
    "a literal page of 100000",
    "police",
    `{ incidents(filter: { lsoaCodes: ["E01032739"] }, first: 100000) { edges { node { id } } } }`,
    {},
    "first",
    police,
  ],
  [
    "a page of 501 in a variable",
    "partnership",
    `query ($n: Int) { people(search: "smith", first: $n) { totalCount } }`,
    { n: 501 },
    "first",
    police,
  ],
  [
    "a literal page of 100000 of break-glass events",
    "governance",
    `{ breakGlassEvents(first: 100000) { id } }`,
    {},
    "first",
    policeDso,
  ],
  ["fromMonth 2026-13", "police", INCIDENTS, { from: "2026-13" }, "filter.fromMonth", police],
  [
    "a literal fromMonth 0001-01",
    "police",
    `{ incidents(filter: { lsoaCodes: ["E01032739"], fromMonth: "0001-01" }) { totalCount } }`,
    {},
    "filter.fromMonth",
    police,
  ],
  [
    "openedFromMonth 0001-01",
    "council",
    `{ asbCases(filter: { openedFromMonth: "0001-01" }) { totalCount } }`,
    {},
    "filter.openedFromMonth",
    council,
  ],
  [
    "a NUL byte in an id",
    "police",
    `query ($id: ID!) { incident(id: $id) { id } }`,
    { id: "inc\u0000" },
    "id",
    police,
  ],
  [
    "a NUL byte in a person id",
    "partnership",
    `query ($id: ID!) { person(id: $id) { id } }`,
    { id: "per-000002\u0000" },
    "id",
    police,
  ],
  [
    "an id of the wrong shape",
    "partnership",
    `query ($id: ID!) { person(id: $id) { id } }`,
    { id: "per-000002' OR '1'='1" },
    "id",
    police,
  ],
  [
    "a NUL byte in search text",
    "partnership",
    `query ($q: String) { people(search: $q) { totalCount } }`,
    { q: "smi\u0000th" },
    "search",
    police,
  ],
  [
    "a NUL byte in a note",
    "partnership",
    `mutation ($note: String!) { advanceCase(caseId: "psc-000001", stage: ANALYSIS, note: $note) { id } }`,
    { note: "moved on\u0000" },
    "note",
    police,
  ],
  [
    "a NUL byte in an input's id",
    "governance",
    `mutation ($input: RecordConsentInput!) { recordConsent(input: $input) { id } }`,
    {
      input: {
        personId: "per-000002\u0000",
        recipientAgencyId: "council",
        purposes: ["SAFEGUARDING"],
        categories: ["INCIDENT_SUMMARY"],
        givenBy: "SELF",
        givenAt: "2025-01-01T10:00:00Z",
        evidenceRef: "DOC-1",
      },
    },
    "input.personId",
    policeDso,
  ],
  [
    "a date in year 1",
    "governance",
    `mutation ($input: RecordConsentInput!) { recordConsent(input: $input) { id } }`,
    {
      input: {
        personId: "per-000002",
        recipientAgencyId: "council",
        purposes: ["SAFEGUARDING"],
        categories: ["INCIDENT_SUMMARY"],
        givenBy: "SELF",
        givenAt: "0001-01-01T00:00:00Z",
        evidenceRef: "DOC-1",
      },
    },
    "input.givenAt",
    policeDso,
  ],
];

describe("bad arguments are BAD_USER_INPUT naming them, and nothing reaches PostgreSQL", () => {
  async function expectBadInput(
    url: string,
    query: string,
    variables: Record<string, unknown>,
    argument: string,
    as: As,
  ) {
    const before = sqlSoFar();
    const reply = await send(url, as, { query, variables });
    expect(reply.status).toBe(400);
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(new RegExp(`^${argument.replace(/[.[\]]/g, "\\$&")}: `)),
        extensions: { code: "BAD_USER_INPUT", argument },
      }),
    ]);
    expect(reply.text).not.toMatch(POSTGRES_WORDS);
    expect(sqlSoFar()).toEqual(before);
  }

  it.each(BAD_INPUT)("%s, at the gateway", async (_what, _name, query, variables, argument, as) => {
    await expectBadInput(fed.gatewayUrl, query, variables, argument, as);
  });

  it.each(BAD_INPUT)(
    "%s, at the subgraph called directly",
    async (_what, name, query, variables, argument, as) => {
      await expectBadInput(subgraphUrl(name), query, variables, argument, as);
    },
  );

  it("a month outside the range in a neighbourhood's statistics", async () => {
    const query = `{ neighbourhood(code: "E01032739") { incidentStats(fromMonth: "0001-01", toMonth: "2019-03") { count } } }`;
    await expectBadInput(fed.gatewayUrl, query, {}, "fromMonth", {
      agency: "police",
      role: Role.ANALYST,
      purpose: "STATISTICS",
    });
  });

  it("a NUL byte in an entity representation sent to a subgraph", async () => {
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id } } }`;
    await expectBadInput(
      subgraphUrl("police"),
      query,
      {
        r: [
          { __typename: "Person", id: "per-000002" },
          { __typename: "Person", id: "per\u0000" },
        ],
      },
      "representations[1]",
      police,
    );
  });

  it("good arguments still answer", async () => {
    const first = await send(fed.gatewayUrl, police, {
      query: INCIDENTS.replace("totalCount", "totalCount pageInfo { endCursor }"),
      variables: { from: "2019-01" },
    });
    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    const { endCursor } = (first.body.data as { incidents: { pageInfo: { endCursor: string } } }).incidents
      .pageInfo;
    const next = await send(fed.gatewayUrl, police, {
      query: INCIDENTS,
      variables: { from: "2019-01", after: endCursor },
    });
    expect(next.status).toBe(200);
    expect(next.body.errors).toBeUndefined();
    const lsoa = await send(fed.gatewayUrl, police, {
      query: `query ($codes: [String!]!) { neighbourhoods(codes: $codes) { code } }`,
      variables: { codes: CASE_NEIGHBOURHOODS },
    });
    expect(lsoa.body.errors).toBeUndefined();
  });
});

describe("what cannot be planned is HTTP 400, never 500", () => {
  const targets: [string, () => string][] = [
    ["the gateway", () => fed.gatewayUrl],
    ...SUBGRAPH_NAMES.map((name): [string, () => string] => [
      `the ${name} subgraph`,
      () => subgraphUrl(name),
    ]),
  ];
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["a subscription", { query: `subscription { incident(id: "inc-1") { id } }` }, /subscription/],
    [
      "two operations and no operationName",
      { query: `query A { __typename } query B { __typename }` },
      /operationName/,
    ],
    [
      "an unknown operationName",
      { query: `query A { __typename }`, operationName: "C" },
      /operationName: no operation named "C"/,
    ],
  ];

  describe.each(targets)("at %s", (_target, url) => {
    it.each(cases)("%s", async (_what, payload, message) => {
      const before = sqlSoFar();
      const reply = await send(url(), police, payload);
      expect(reply.status).toBe(400);
      expect(reply.body.data).toBeUndefined();
      expect(messages(reply)).toMatch(message);
      expect(reply.body.errors?.[0].extensions?.code).toMatch(
        /^(OPERATION_RESOLUTION_FAILURE|BAD_REQUEST|GRAPHQL_VALIDATION_FAILED)$/,
      );
      expect(sqlSoFar()).toEqual(before);
    });
  });
});

describe("an unexpected database error in development", () => {
  let sub: TestSubgraph;
  beforeAll(async () => {
    sub = await startTestSubgraph(policeSubgraph);
  });
  afterAll(() => sub?.stop());

  it("is reported by its code, without PostgreSQL's message", async () => {
    expect(testConfig().NODE_ENV).not.toBe("production");
    // A store broken under the running service, as a bad migration or a dropped table would.
    await sub.adminSql.exec(`ALTER TABLE incidents RENAME TO incidents_broken`);
    try {
      const reply = await send(sub.url, police, {
        query: `{ incidents(filter: { lsoaCodes: ["E01032739"] }) { totalCount } }`,
      });
      expect(reply.body.errors).toEqual([
        expect.objectContaining({ message: "internal error", extensions: { code: "INTERNAL_SERVER_ERROR" } }),
      ]);
      expect(reply.text).not.toMatch(/incidents_broken|does not exist/);
      expect(reply.text).not.toMatch(POSTGRES_WORDS);
    } finally {
      await sub.adminSql.exec(`ALTER TABLE incidents_broken RENAME TO incidents`);
    }
  });
});
