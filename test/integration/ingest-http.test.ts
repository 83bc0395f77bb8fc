import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { council } from "../../subgraphs/council/server";
import { Role } from "../../subgraphs/shared/enums";
import { governanceAccessDatabaseUrl, ingestDatabaseUrl } from "../../subgraphs/shared/database-roles";
import { startIngestService, type RunningIngestService } from "../../scripts/lib/ingest-server";
import { agencyImports } from "../support/ingest";
import { identityEnv, startIdentityProvider, type TestIdentityProvider } from "../support/jwks";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";
import { testConfig } from "../support/graphql";

/**
 * The ingest service (scripts/lib/ingest-server.ts) on a real port, over the council's and the
 * people index's databases as their ingest roles, verifying real tokens against a test identity
 * provider's JWKS; the council subgraph on the same database shows the imports to its DSOs.
 */
const imports = agencyImports("council", {
  label: "ingest_http",
  tables: ["asb_cases", "asb_parties", "asb_interventions", "monthly_counts"],
  governance: true,
});
const { admin, snapshot, variant, example } = imports;
const CASES = example("asb-cases-2024-06.csv");
const PARTIES = example("asb-parties-2024-06.csv");
const LIMIT = 20_000;

let idp: TestIdentityProvider;
let subgraph: TestSubgraph;
let service: RunningIngestService;
let mappings: string;

beforeAll(async () => {
  idp = await startIdentityProvider();
  // Registers the demo's agencies in the governance store the service checks tokens against.
  subgraph = await startTestSubgraph(council, undefined, {
    storeUrl: imports.urls.council,
    policyUrl: imports.urls.governance,
  });
  mappings = mkdtempSync(join(tmpdir(), "ingest-mappings-"));
  mkdirSync(join(mappings, "council"));
  copyFileSync(example("mapping.json"), join(mappings, "council", "asb-cms.json"));
  service = await startIngestService(
    testConfig({ ...serviceEnv(), INGEST_MAPPINGS_DIR: mappings, INGEST_BODY_LIMIT_BYTES: String(LIMIT) }),
    { port: 0 },
  );
}, 60_000);

/** The ingest roles' logins (governance's audits links) and governance's read-only one: no migrator's URL at all. */
const serviceEnv = () => ({
  COUNCIL_INGEST_DATABASE_URL: ingestDatabaseUrl(imports.config, "council")!,
  PARTNERSHIP_INGEST_DATABASE_URL: ingestDatabaseUrl(imports.config, "partnership")!,
  GOVERNANCE_INGEST_DATABASE_URL: ingestDatabaseUrl(imports.config, "governance")!,
  GOVERNANCE_ACCESS_DATABASE_URL: governanceAccessDatabaseUrl(imports.config)!,
  ...identityEnv(idp),
});

afterAll(async () => {
  await service?.stop();
  await subgraph?.stop();
  await idp?.stop();
  if (mappings) rmSync(mappings, { recursive: true, force: true });
});

const dso = (claims: Record<string, unknown> = {}) =>
  idp.sign({ agency: "council", role: Role.DATA_SHARING_OFFICER, sub: "council.push", ...claims });

interface Answer {
  status: number;
  body: Record<string, unknown> & {
    error?: { code: string; message: string };
    problems?: string[];
    importId?: string;
    totals?: Record<string, number>;
    files?: Record<string, unknown>[];
    rejected?: { file: string; line: number; column: string | null; reason: string }[];
  };
}

async function push(
  query: string,
  file: string | Buffer,
  options: { token?: string | null; type?: string; agency?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": options.type ?? "text/csv" };
  const token = options.token === undefined ? await dso() : options.token;
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${service.url}/agencies/${options.agency ?? "council"}/imports?${query}`, {
    method: "POST",
    headers,
    body: new Uint8Array(typeof file === "string" ? readFileSync(file) : file),
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

const importsRecorded = async () =>
  Number((await admin.council.sql.one<{ n: string }>(`SELECT count(*) AS n FROM imports`))!.n);

test("answers /health", async () => {
  const response = await fetch(`${service.url}/health`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: "ok", service: "ingest" });
  expect((await fetch(`${service.url}/ready`)).status).toBe(200);
});

describe("refused, and nothing written, not even an import record", () => {
  let before: string;
  let recorded: number;
  beforeAll(async () => {
    before = await snapshot();
    recorded = await importsRecorded();
  });
  afterEach(async () => {
    expect(await snapshot()).toBe(before);
    expect(await importsRecorded()).toBe(recorded);
  });

  test("no token: 401", async () => {
    const { status, body } = await push("mapping=asb-cms&file=asb-cases-2024-06.csv", CASES, { token: null });
    expect(status).toBe(401);
    expect(body.error).toEqual({
      code: "UNAUTHENTICATED",
      message: "authorization: a Bearer token is required",
    });
  });

  test("an expired token: 401", async () => {
    const expired = await idp.sign(
      { agency: "council", role: Role.DATA_SHARING_OFFICER, sub: "council.push" },
      { expiresIn: Math.floor(Date.now() / 1000) - 60 },
    );
    const { status, body } = await push("mapping=asb-cms&file=asb-cases-2024-06.csv", CASES, {
      token: expired,
    });
    expect(status).toBe(401);
    expect(body.error?.message).toBe("invalid token: the token has expired");
  });

  test("a forged token (signed by a key the identity provider never published): 401", async () => {
    const forger = await startIdentityProvider({ issuer: idp.issuer, audience: idp.audience });
    try {
      const forged = await forger.sign({ agency: "council", role: Role.DATA_SHARING_OFFICER });
      const { status, body } = await push("mapping=asb-cms&file=asb-cases-2024-06.csv", CASES, {
        token: forged,
      });
      expect(status).toBe(401);
      expect(body.error?.message).toBe("invalid token: the token is not signed by a trusted key");
    } finally {
      await forger.stop();
    }
  });

  test("a token that says it is a service's: 401 (no service identity may push)", async () => {
    const { status, body } = await push("mapping=asb-cms&file=asb-cases-2024-06.csv", CASES, {
      token: await dso({ service: "CASE_REVIEW_COUNT" }),
    });
    expect(status).toBe(401);
    expect(body.error?.message).toBe("invalid token: service tokens are not accepted here");
  });

  test("another agency's data-sharing officer: 403", async () => {
    const { status, body } = await push("mapping=asb-cms&file=asb-cases-2024-06.csv", CASES, {
      token: await dso({ agency: "police", sub: "police.dso" }),
    });
    expect(status).toBe(403);
    expect(body.error).toEqual({
      code: "FORBIDDEN",
      message: "a token of police may not push council's records",
    });
  });

  test("the council's practitioner and analyst: 403", async () => {
    for (const role of [Role.PRACTITIONER, Role.ANALYST]) {
      const { status, body } = await push("mapping=asb-cms&file=asb-cases-2024-06.csv", CASES, {
        token: await dso({ role }),
      });
      expect(status).toBe(403);
      expect(body.error?.message).toBe(
        `only a data-sharing officer of council may push its records (the token's role is ${role})`,
      );
    }
  });

  test("an agency this service does not load, or none at all: 404", async () => {
    for (const agency of ["police", "nowhere"]) {
      const { status, body } = await push("mapping=asb-cms&file=asb-cases-2024-06.csv", CASES, {
        token: await dso({ agency: "police" }),
        agency,
      });
      expect(status).toBe(404);
      expect(body.error?.code).toBe("NOT_FOUND");
    }
  });

  test("a mapping name that climbs out of the mappings folder, or none known: 400", async () => {
    for (const mapping of [
      "../council/asb-cms",
      "..%2Fcouncil%2Fasb-cms",
      "/etc/passwd",
      "asb-cms.json",
      "",
    ]) {
      const { status, body } = await push(`mapping=${mapping}&file=asb-cases-2024-06.csv`, CASES);
      expect(status).toBe(400);
      expect(body.error?.message).toMatch(/^mapping: the name of one of council's mappings/);
    }
    const unknown = await push("mapping=other&file=asb-cases-2024-06.csv", CASES);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.message).toBe('mapping: council has no mapping "other" (it has asb-cms)');
  });

  test("a bad file name, one the mapping does not match, an unknown parameter or flag: 400", async () => {
    for (const query of [
      "mapping=asb-cms&file=../asb-cases-2024-06.csv",
      "mapping=asb-cms&file=.hidden.csv",
      "mapping=asb-cms&file=tenancies.csv",
      "mapping=asb-cms&file=asb-cases-2024-06.csv&dryRun=yes",
      "mapping=asb-cms&file=asb-cases-2024-06.csv&by=someone.else",
    ]) {
      const { status, body } = await push(query, CASES);
      expect([query, status, body.error?.code]).toEqual([query, 400, "BAD_REQUEST"]);
    }
  });

  test("a body the mapping does not read as that type: 415", async () => {
    const { status } = await push("mapping=asb-cms&file=asb-cases-2024-06.csv", CASES, {
      type: "application/x-ndjson",
    });
    expect(status).toBe(415);
  });

  test("a file larger than INGEST_BODY_LIMIT_BYTES: 413", async () => {
    const text = readFileSync(CASES, "utf8");
    const [header, ...rows] = text.trim().split("\n");
    const big: string[] = [header];
    for (let i = 0; big.join("\n").length <= LIMIT; i++)
      big.push(rows[i % rows.length].replace(/^ASB\/24\/\d+/, `ASB/25/${String(i).padStart(5, "0")}`));
    const { status, body } = await push(
      "mapping=asb-cms&file=asb-cases-2024-06.csv",
      Buffer.from(big.join("\n")),
    );
    expect(status).toBe(413);
    expect(body.error).toEqual({
      code: "PAYLOAD_TOO_LARGE",
      message: `the file exceeds ${LIMIT} bytes (INGEST_BODY_LIMIT_BYTES)`,
    });
    // Sent in chunks with no length said beforehand: counted as it streams in.
    const chunks = big.map((line) => Buffer.from(`${line}\n`));
    const streamed = await fetch(
      `${service.url}/agencies/council/imports?mapping=asb-cms&file=asb-cases-2024-06.csv`,
      {
        method: "POST",
        headers: { "content-type": "text/csv", authorization: `Bearer ${await dso()}` },
        body: new ReadableStream({
          pull(controller) {
            const next = chunks.shift();
            if (next) controller.enqueue(next);
            else controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit,
    );
    expect(streamed.status).toBe(413);
  });
});

test("the service does not start on a bad mappings folder, and says every problem at once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ingest-mappings-bad-"));
  try {
    mkdirSync(join(dir, "council"));
    mkdirSync(join(dir, "parish"));
    copyFileSync(example("mapping.json"), join(dir, "council", "asb-cms.json"));
    const theirs = { ...JSON.parse(readFileSync(example("mapping.json"), "utf8")), agency: "police" };
    writeFileSync(join(dir, "council", "broken.json"), JSON.stringify(theirs));
    await expect(
      startIngestService(testConfig({ ...serviceEnv(), INGEST_MAPPINGS_DIR: dir }), { port: 0 }),
    ).rejects.toThrow(
      /2 problem\(s\)[^]*INGEST_MAPPINGS_DIR \(.*\): council\/broken\.json: agency: "police" but the import is for "council"[^]*parish\/: not an agency whose records can be loaded/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("a data-sharing officer's push", () => {
  test("a dry run reports what would change and writes nothing", async () => {
    const before = await snapshot();
    const { status, body } = await push("mapping=asb-cms&file=asb-cases-2024-06.csv&dryRun=true", CASES);
    expect(status).toBe(200);
    expect(body).toMatchObject({ agency: "council", mapping: "asb-cms", dryRun: true });
    expect(body.totals).toMatchObject({ rows: 8, new: 8, changed: 0, unchanged: 0, rejected: 0 });
    expect(await snapshot()).toBe(before);
  });

  test("loads the file (201); pushed again, it changes nothing", async () => {
    const first = await push("mapping=asb-cms&file=asb-cases-2024-06.csv", CASES);
    expect(first.status).toBe(201);
    expect(first.body.totals).toMatchObject({ rows: 8, new: 8, changed: 0, unchanged: 0, rejected: 0 });
    expect(first.body.files).toEqual([
      expect.objectContaining({ name: "asb-cases-2024-06.csv", record: "asbCase", loaded: true }),
    ]);
    // The temp file's path is never told.
    expect(JSON.stringify(first.body)).not.toContain(tmpdir());
    expect((await admin.council.sql.one<{ n: string }>(`SELECT count(*) AS n FROM asb_cases`))!.n).toBe("8");
    const loaded = await snapshot();
    const again = await push("mapping=asb-cms&file=asb-cases-2024-06.csv", CASES);
    expect(again.status).toBe(201);
    expect(again.body.totals).toMatchObject({ rows: 8, new: 0, changed: 0, unchanged: 8 });
    expect(await snapshot()).toBe(loaded);
  });

  test("a bad file is refused whole (422), naming each bad row as the command does", async () => {
    const before = await snapshot();
    const bad = variant(PARTIES, "asb-parties-2024-06.csv", (text) =>
      text
        .replace("P-5002,ASB/24/0101,PERP", "P-5002,ASB/24/0101,BYSTANDER")
        .replace("P-5003,ASB/24/0102", "P-5003,ASB/24/0999"),
    );
    const { status, body } = await push("mapping=asb-cms&file=asb-parties-2024-06.csv", bad);
    expect(status).toBe(422);
    expect(body.error).toEqual({
      code: "FILE_REFUSED",
      message: "asb-parties-2024-06.csv: nothing from this file was loaded: 2 problem(s)",
    });
    expect(body.problems).toEqual([
      expect.stringMatching(/^asb-parties-2024-06\.csv:3 \(Role\): unknown code "BYSTANDER" for role/),
      expect.stringMatching(/^asb-parties-2024-06\.csv:4 \(Case Ref\): no asbCase with key "ASB\/24\/0999"/),
    ]);
    expect(await snapshot()).toBe(before);
  });

  test("with rejects=true the bad rows come back and the rest loads", async () => {
    const bad = variant(PARTIES, "asb-parties-2024-06.csv", (text) =>
      text.replace("P-5002,ASB/24/0101,PERP", "P-5002,ASB/24/0101,BYSTANDER"),
    );
    const { status, body } = await push("mapping=asb-cms&file=asb-parties-2024-06.csv&rejects=true", bad);
    expect(status).toBe(201);
    expect(body.rejected).toEqual([
      expect.objectContaining({ file: "asb-parties-2024-06.csv", line: 3, column: "Role" }),
    ]);
    expect(body.totals).toMatchObject({ rejected: 1, new: body.totals!.rows - 1 });
    expect(
      await admin.council.sql.many(`SELECT source_key FROM asb_parties WHERE source_key LIKE '%P-5002'`),
    ).toEqual([]);
  });

  test("every push is recorded with the token's subject, and the council's DSOs see it in councilImports", async () => {
    const { data, errors } = await subgraph.query<{
      councilImports: { importedBy: string; outcome: string; dryRun: boolean; files: { name: string }[] }[];
    }>(
      `{ councilImports(first: 10) { importedBy outcome dryRun files { name } } }`,
      {},
      { agency: "council", role: Role.DATA_SHARING_OFFICER },
    );
    expect(errors).toBeUndefined();
    expect(data!.councilImports.map((i) => [i.importedBy, i.outcome, i.dryRun, i.files[0]?.name])).toEqual([
      ["council.push", "LOADED", false, "asb-parties-2024-06.csv"],
      ["council.push", "FAILED", false, "asb-parties-2024-06.csv"],
      ["council.push", "LOADED", false, "asb-cases-2024-06.csv"],
      ["council.push", "LOADED", false, "asb-cases-2024-06.csv"],
      ["council.push", "DRY_RUN", true, "asb-cases-2024-06.csv"],
    ]);
  });
});

test("stopped (SIGTERM), it takes no new push and lets the one in flight finish", async () => {
  const second = await startIngestService(testConfig({ ...serviceEnv(), INGEST_MAPPINGS_DIR: mappings }), {
    port: 0,
  });
  const text = readFileSync(CASES);
  const half = Math.floor(text.length / 2);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let pulls = 0;
  const pending = fetch(
    `${second.url}/agencies/council/imports?mapping=asb-cms&file=asb-cases-2024-06.csv&dryRun=true`,
    {
      method: "POST",
      headers: { "content-type": "text/csv", authorization: `Bearer ${await dso()}` },
      body: new ReadableStream({
        async pull(controller) {
          pulls += 1;
          if (pulls === 1) controller.enqueue(new Uint8Array(text.subarray(0, half)));
          else if (pulls === 2) {
            await gate;
            controller.enqueue(new Uint8Array(text.subarray(half)));
          } else controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit,
  );
  // The first half is there: the push is in flight.
  while (pulls < 2) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const stopped = second.stop({ graceMs: 10_000 });
  await expect(fetch(`${second.url}/health`)).rejects.toThrow();
  release();
  const response = await pending;
  expect(response.status).toBe(200);
  expect(((await response.json()) as Answer["body"]).totals).toMatchObject({ rows: 8, unchanged: 8 });
  await stopped;
});

test("with an audience of its own (INGEST_JWT_AUDIENCE), it takes push tokens and refuses the graph's", async () => {
  const own = await startIngestService(
    testConfig({ ...serviceEnv(), INGEST_MAPPINGS_DIR: mappings, INGEST_JWT_AUDIENCE: "partnership-ingest" }),
    { port: 0 },
  );
  try {
    const send = async (token: string) =>
      fetch(`${own.url}/agencies/council/imports?mapping=asb-cms&file=asb-cases-2024-06.csv&dryRun=true`, {
        method: "POST",
        headers: { "content-type": "text/csv", authorization: `Bearer ${token}` },
        body: new Uint8Array(readFileSync(CASES)),
      });
    const claims = { agency: "council", role: Role.DATA_SHARING_OFFICER, sub: "council.push" };
    const graphs = await send(await idp.sign(claims));
    expect(graphs.status).toBe(401);
    expect(((await graphs.json()) as Answer["body"]).error?.message).toBe(
      "invalid token: the token is meant for another audience",
    );
    expect((await send(await idp.sign(claims, { audience: "partnership-ingest" }))).status).toBe(200);
  } finally {
    await own.stop();
  }
});
