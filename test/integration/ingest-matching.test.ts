import { partnership } from "../../subgraphs/partnership/server";
import { Role } from "../../subgraphs/shared/enums";
import { agencyImports, runIngestCommand } from "../support/ingest";
import { type As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

/**
 * The ingestion path through the matcher (issue 20): the council's example export, loaded after the
 * police's, finds the police's people though it spells some of them differently; a doubtful one waits
 * for the council's DSOs; re-running changes nothing; a dry run writes nothing anywhere; a confirmed
 * review reaches the council's records with the next import of their rows.
 */
/** The people index's subgraph, serving the review queue, on the database the imports write. */
let people: TestSubgraph;
beforeAll(async () => {
  people = await startTestSubgraph(partnership);
}, 60_000);
afterAll(() => people?.stop());

const databases = () => ({
  partnership: (people.store.dataSource.options as { url: string }).url,
  // Its governance store, where the demo's agencies are registered.
  governance: people.policyUrl,
});
const policeImports = agencyImports("police", { label: "im_police", databases, importedBy: "police.dso" });
/** Its snapshot: every row of the people index, the matcher's tables, the queue and the council's records. */
const councilImports = agencyImports("council", {
  label: "im_council",
  databases,
  importedBy: "council.dso",
  tables: ["asb_cases", "asb_parties", "asb_interventions"],
  peopleTables: ["people", "person_references", "matched_references", "person_match_reviews"],
});
const { admin, snapshot, run: runCouncil } = councilImports;
const POLICE_FILES = ["incidents-2024-06.jsonl", "involved-people-2024-06.csv"].map(policeImports.example);
const CASES = councilImports.example("asb-cases-2024-06.csv");
const PARTIES = councilImports.example("asb-parties-2024-06.csv");
const COUNCIL_FILES = [CASES, PARTIES, councilImports.example("asb-actions-2024-06.csv")];
const COUNCIL_MAPPING = councilImports.example("mapping.json");

// The police's people first: the council's export then meets them.
beforeAll(async () => {
  const loaded = await policeImports.run(POLICE_FILES);
  expect(loaded.totals).toMatchObject({ peopleNew: 8, peopleLinked: 0 });
}, 60_000);

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
const cli = (args: string[]) => runIngestCommand(args, { ...policeImports.urls, ...councilImports.urls });

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
      forgotten: 0,
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
    const fresh = councilImports.variant(PARTIES, "asb-parties-2024-07.csv", (text) =>
      text.replace(/CN-/g, "CX-").replace(/P-50/g, "P-60"),
    );
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
