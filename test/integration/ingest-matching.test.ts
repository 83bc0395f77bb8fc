import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { councilIngest } from "../../subgraphs/council/ingest";
import { council } from "../../subgraphs/council/server";
import { policeIngest } from "../../subgraphs/police/ingest";
import { resolvePeople } from "../../subgraphs/partnership/people-index";
import { partnership } from "../../subgraphs/partnership/server";
import { openStore, type Sql, type SubgraphStore } from "../../subgraphs/shared/database";
import { Role } from "../../subgraphs/shared/enums";
import { parseMapping } from "../../subgraphs/shared/ingest/mapping";
import { ingestFiles, type IngestOptions } from "../../subgraphs/shared/ingest/run";
import { openIngestStores, type IngestStores } from "../../scripts/lib/ingest";
import { uniqueDatabaseUrl } from "../support/database";
import { testConfig, type As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

/**
 * The ingestion path through the matcher (issue 20): the council's example export, loaded after the
 * police's, finds the police's people though it spells some of them differently; a doubtful one waits
 * for the council's DSOs; re-running changes nothing; a dry run writes nothing anywhere; a confirmed
 * review reaches the council's records with the next import of their rows.
 */
const ROOT = join(__dirname, "..", "..");
const POLICE = join(ROOT, "examples", "ingest", "police");
const COUNCIL = join(ROOT, "examples", "ingest", "council");
const POLICE_FILES = [join(POLICE, "incidents-2024-06.jsonl"), join(POLICE, "involved-people-2024-06.csv")];
const CASES = join(COUNCIL, "asb-cases-2024-06.csv");
const PARTIES = join(COUNCIL, "asb-parties-2024-06.csv");
const COUNCIL_FILES = [CASES, PARTIES, join(COUNCIL, "asb-actions-2024-06.csv")];
const COUNCIL_MAPPING = join(COUNCIL, "mapping.json");

let urls: Record<"police" | "council" | "partnership" | "governance", string>;
let config: ReturnType<typeof testConfig>;
let stores: { police: IngestStores; council: IngestStores };
let admin: { council: SubgraphStore; partnership: Pick<SubgraphStore, "sql"> };
/** The people index's subgraph, serving the review queue, on the database the imports write. */
let people: TestSubgraph;

beforeAll(async () => {
  people = await startTestSubgraph(partnership);
  urls = {
    police: uniqueDatabaseUrl("im_police"),
    council: uniqueDatabaseUrl("im_council"),
    partnership: (people.store.dataSource.options as { url: string }).url,
    // Its governance store, where the demo's agencies are registered.
    governance: people.policyUrl,
  };
  config = testConfig({
    POLICE_DATABASE_URL: urls.police,
    COUNCIL_DATABASE_URL: urls.council,
    PARTNERSHIP_DATABASE_URL: urls.partnership,
    GOVERNANCE_DATABASE_URL: urls.governance,
  });
  stores = {
    police: await openIngestStores(config, "police"),
    council: await openIngestStores(config, "council"),
  };
  admin = {
    council: await openStore(council, urls.council, { poolSize: 1, migrate: false }),
    partnership: { sql: people.adminSql },
  };
  // The police's people first: the council's export then meets them.
  const loaded = await ingestFiles({
    ingest: policeIngest,
    mapping: parseMapping(readFileSync(join(POLICE, "mapping.json"), "utf8"), "mapping.json", policeIngest),
    files: POLICE_FILES,
    agencySql: stores.police.agency.sql,
    peopleSql: stores.police.people.sql,
    resolvePeople,
    importedBy: "police.dso",
  });
  expect(loaded.totals).toMatchObject({ peopleNew: 8, peopleLinked: 0 });
}, 90_000);

afterAll(async () => {
  for (const s of Object.values(stores ?? {})) await s.close();
  await admin?.council.close();
  await people?.stop();
});

const councilMapping = parseMapping(readFileSync(COUNCIL_MAPPING, "utf8"), "mapping.json", councilIngest);
const runCouncil = (files: string[], more: Partial<IngestOptions> = {}) =>
  ingestFiles({
    ingest: councilIngest,
    mapping: councilMapping,
    files,
    agencySql: stores.council.agency.sql,
    peopleSql: stores.council.people.sql,
    resolvePeople,
    importedBy: "council.dso",
    ...more,
  });

/** Every row of the people index, the matcher's tables, the queue and the council's records. */
async function snapshot(): Promise<string> {
  const one = async (sql: Sql, table: string) =>
    (await sql.one<{ md5: string | null; n: string }>(
      `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM ${table} t`,
    ))!;
  const p = admin.partnership.sql;
  const c = admin.council.sql;
  return JSON.stringify([
    await one(p, "people"),
    await one(p, "person_references"),
    await one(p, "matched_references"),
    await one(p, "person_match_reviews"),
    await one(c, "asb_cases"),
    await one(c, "asb_parties"),
    await one(c, "asb_interventions"),
  ]);
}

const personOf = async (agency: string, reference: string) =>
  (
    await admin.partnership.sql.one<{ person_id: string }>(
      `SELECT person_id FROM person_references WHERE agency_id = $1 AND reference = $2`,
      [agency, reference],
    )
  )?.person_id;

const partyPerson = async (partyId: string) =>
  (
    await admin.council.sql.one<{ person_id: string }>(
      `SELECT person_id FROM asb_parties WHERE source_key = $1`,
      [`asb-cms:${partyId}`],
    )
  )?.person_id;

/** `npm run ingest` itself, on the test's databases. */
function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn("node", ["-r", "@swc-node/register", "scripts/ingest.ts", ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        POLICE_DATABASE_URL: urls.police,
        COUNCIL_DATABASE_URL: urls.council,
        PARTNERSHIP_DATABASE_URL: urls.partnership,
        GOVERNANCE_DATABASE_URL: urls.governance,
        NODE_ENV: "development",
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

/** The council's references and the police's nominals of the same people (examples/ingest). */
const SAME = [
  ["CN-100231", "NOM-401122", "Maggie for Margaret"],
  ["CN-100412", "NOM-402301", "spelt the same"],
  ["CN-100413", "NOM-402302", "Whitfeild for Whitfield"],
  ["CN-100590", "NOM-403550", "09 November for 11 September"],
  ["CN-100601", "NOM-778812", "spelt the same"],
] as const;

const COUNCIL_DSO: As = {
  agency: "council",
  role: Role.DATA_SHARING_OFFICER,
  user: "council.dso",
  purpose: "SAFEGUARDING",
};

let empty: string;

test("a dry run (npm run ingest --dry-run) says who would be linked, queued and new, and writes nothing anywhere", async () => {
  empty = await snapshot();
  const dry = await cli(["--agency", "council", "--mapping", COUNCIL_MAPPING, "--dry-run", ...COUNCIL_FILES]);
  expect(dry.err).not.toMatch(/ingest:/);
  expect(dry.code).toBe(0);
  expect(dry.out).toContain(
    "people: 5 linked to people already in the index, 1 queued for review, 3 new, 0 already known",
  );
  expect(dry.out).toContain("Dry run: nothing was written");
  expect(await snapshot()).toBe(empty);
}, 60_000);

describe("loaded after the police's people", () => {
  let loaded: string;

  test("the same people spelt differently are linked to the police's people; the doubtful one waits for the council's DSOs", async () => {
    const report = await runCouncil(COUNCIL_FILES);
    expect(report.totals).toEqual({
      rows: 26,
      new: 26,
      changed: 0,
      unchanged: 0,
      rejected: 0,
      peopleKnown: 0,
      peopleLinked: 5,
      peopleQueuedForReview: 1,
      peopleNew: 3,
    });
    for (const [reference, nominal, why] of SAME)
      expect([reference, why, await personOf("council", reference)]).toEqual([
        reference,
        why,
        await personOf("police", nominal),
      ]);
    // Their records carry the police's person.
    expect(await partyPerson("P-5001")).toBe(await personOf("police", "NOM-401122"));
    expect(await partyPerson("P-5006")).toBe(await personOf("police", "NOM-403550"));
    const methods = await admin.partnership.sql.many<{ reference: string; method: string }>(
      `SELECT reference, method FROM matched_references WHERE agency_id = 'council' ORDER BY reference`,
    );
    expect(methods.filter((m) => m.method === "PROBABILISTIC").map((m) => m.reference)).toEqual(
      SAME.map(([reference]) => reference).sort(),
    );

    // "A Begum", no date of birth, at Aisha Begum's postcode: a provisional person, and a review
    // for the council (whose record it is) naming the police's Aisha Begum.
    const aisha = await personOf("police", "NOM-403551");
    const provisional = await personOf("council", "CN-100602");
    expect(provisional).not.toBe(aisha);
    expect(await partyPerson("P-5008")).toBe(provisional);
    expect(
      await admin.partnership.sql.many(
        `SELECT agency_id, reference, candidate_person_id, provisional_person_id, status FROM person_match_reviews`,
      ),
    ).toEqual([
      {
        agency_id: "council",
        reference: "CN-100602",
        candidate_person_id: aisha,
        provisional_person_id: provisional,
        status: "PENDING",
      },
    ]);
    // Daniel Okafor, Robert Hughes and Helen Marsh are no one the police know.
    for (const reference of ["CN-100877", "CN-100655", "CN-100700"]) {
      const person = await personOf("council", reference);
      const { n } = (await admin.partnership.sql.one<{ n: string }>(
        `SELECT count(*) AS n FROM person_references WHERE person_id = $1`,
        [person],
      ))!;
      expect([reference, n]).toEqual([reference, "1"]);
    }
    // The import's record says so, per file.
    const recorded = await admin.council.sql.one<{ files: Record<string, unknown>[] }>(
      `SELECT files FROM imports WHERE id = $1`,
      [report.importId],
    );
    expect(recorded!.files.find((f) => f.record === "asbParty")).toMatchObject({
      peopleKnown: 0,
      peopleLinked: 5,
      peopleQueuedForReview: 1,
      peopleNew: 3,
    });
    loaded = await snapshot();
  });

  test("re-importing changes nothing: no record, person, link, identity or review", async () => {
    const report = await runCouncil(COUNCIL_FILES);
    expect(report.totals).toMatchObject({
      new: 0,
      changed: 0,
      unchanged: 26,
      peopleKnown: 9,
      peopleLinked: 0,
      peopleQueuedForReview: 0,
      peopleNew: 0,
    });
    expect(await snapshot()).toBe(loaded);
    // A dry run now writes nothing either.
    await runCouncil(COUNCIL_FILES, { dryRun: true });
    expect(await snapshot()).toBe(loaded);
  });

  test("a file that fails after its people were matched leaves no person, link or review behind", async () => {
    // Nine references the council has not used: the matcher adds people (and queues) for them, then
    // the write fails; the file's transaction takes the matcher's writes with it.
    const dir = mkdtempSync(join(tmpdir(), "ingest-matching-"));
    try {
      const fresh = join(dir, "asb-parties-2024-07.csv");
      writeFileSync(fresh, readFileSync(PARTIES, "utf8").replace(/CN-/g, "CX-").replace(/P-50/g, "P-60"));
      let matcherLocks = 0;
      const error = await runCouncil([fresh], {
        afterBatch: async () => {
          // The matcher has run in the file's transaction, which still holds its lock.
          matcherLocks = Number(
            (await admin.partnership.sql.one<{ n: string }>(
              `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 1835103331 AND granted`,
            ))!.n,
          );
          throw new Error("the disk is full");
        },
      }).catch((e: unknown) => e);
      expect(String(error)).toMatch(/nothing from this file was loaded/);
      expect(matcherLocks).toBe(1);
      expect(await snapshot()).toBe(loaded);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the council's DSO finds the doubtful one in the review queue and confirms it; the next import of its rows re-points them, and nothing else", async () => {
    const aisha = await personOf("police", "NOM-403551");
    const provisional = await partyPerson("P-5008");
    const queue = await people.query<{
      personMatchReviews: {
        totalCount: number;
        edges: {
          node: {
            id: string;
            reference: string;
            candidate: { id: string };
            provisionalPerson: { id: string };
          };
        }[];
      };
    }>(
      `{ personMatchReviews { totalCount edges { node { id reference candidate { id } provisionalPerson { id } } } } }`,
      {},
      COUNCIL_DSO,
    );
    expect(queue.errors).toBeUndefined();
    expect(queue.data!.personMatchReviews.totalCount).toBe(1);
    const { node } = queue.data!.personMatchReviews.edges[0];
    expect(node).toMatchObject({
      reference: "CN-100602",
      candidate: { id: aisha },
      provisionalPerson: { id: provisional },
    });
    const confirmed = await people.query(
      `mutation Confirm($id: ID!) { confirmPersonMatch(id: $id, note: "same witness, police nominal checked") { status } }`,
      { id: node.id },
      COUNCIL_DSO,
    );
    expect(confirmed).toMatchObject({ data: { confirmPersonMatch: { status: "CONFIRMED" } } });
    expect(confirmed.errors).toBeUndefined();
    expect(await personOf("council", "CN-100602")).toBe(aisha);
    // Meanwhile the council's record still carries the provisional person...
    expect(await partyPerson("P-5008")).toBe(provisional);
    // ...until its row is imported again: its person is part of what changed.
    const report = await runCouncil([PARTIES]);
    expect(report.files[0]).toMatchObject({ new: 0, changed: 1, unchanged: 11, peopleKnown: 9 });
    expect(await partyPerson("P-5008")).toBe(aisha);
    const again = await runCouncil(COUNCIL_FILES);
    expect(again.totals).toMatchObject({ new: 0, changed: 0, unchanged: 26 });
  });
});
