import { partnership } from "../../subgraphs/partnership/server";
import { openStore, type SubgraphStore } from "../../subgraphs/shared/database";
import {
  matchPeople,
  rememberIndexedReferences,
  type MatchOutcome,
} from "../../subgraphs/partnership/matching";
import {
  generatePopulation,
  POPULATION_AGENCIES,
  type ExportedIdentity,
} from "../../subgraphs/partnership/matching/population";
import { uniqueDatabaseUrl } from "../support/database";

/**
 * The matcher measured on a generated population with known truth (matching/population.ts): the
 * four agencies' exports are matched in turn into an empty people index on the real server, as the
 * ingestion path will, and the figures are compared with the issue's targets. Pairs are record pairs:
 * two records are linked when they end up with the same person, truly linked when they are the
 * same true person.
 */
// MATCH_SEED and MATCH_SIZE measure another population (the thresholds were checked on seeds 1-5, up to 5,000 people).
const SEED = Number(process.env.MATCH_SEED ?? 20);
const SIZE = Number(process.env.MATCH_SIZE ?? 2000);

interface Figures {
  records: number;
  automaticPrecision: number;
  automaticRecall: number;
  recallWithReview: number;
  precisionWithReview: number;
  reviewShare: number;
  outcomes: Record<MatchOutcome["outcome"], number>;
}

/** Record pairs (by index) that share a key. */
function pairs(keys: string[]): Set<string> {
  const groups = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const list = groups.get(k);
    if (list) list.push(i);
    else groups.set(k, [i]);
  });
  const out = new Set<string>();
  for (const members of groups.values())
    for (let a = 0; a < members.length; a += 1)
      for (let b = a + 1; b < members.length; b += 1) out.add(`${members[a]}:${members[b]}`);
  return out;
}

function overlap(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const x of a) if (b.has(x)) n += 1;
  return n;
}

function measure(records: ExportedIdentity[], outcomes: MatchOutcome[]): Figures {
  const truth = pairs(records.map((r) => r.truePersonId));
  const automatic = pairs(outcomes.map((o) => o.personId));
  // A reviewer who decides every queued pair correctly: a queued record joins its candidate's
  // records when they are truly the same person (union-find over persons).
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    while (parent.has(x) && parent.get(x) !== x) x = parent.get(x)!;
    return x;
  };
  const truthOfPerson = new Map<string, Set<string>>();
  outcomes.forEach((o, i) => {
    let set = truthOfPerson.get(o.personId);
    if (!set) truthOfPerson.set(o.personId, (set = new Set()));
    set.add(records[i].truePersonId);
  });
  outcomes.forEach((o, i) => {
    if (o.outcome === "review" && truthOfPerson.get(o.candidatePersonId!)?.has(records[i].truePersonId))
      parent.set(find(o.personId), find(o.candidatePersonId!));
  });
  const reviewed = pairs(outcomes.map((o) => find(o.personId)));
  const count = { linked: 0, review: 0, new: 0 };
  for (const o of outcomes) count[o.outcome] += 1;
  return {
    records: records.length,
    automaticPrecision: overlap(automatic, truth) / automatic.size,
    automaticRecall: overlap(automatic, truth) / truth.size,
    precisionWithReview: overlap(reviewed, truth) / reviewed.size,
    recallWithReview: overlap(reviewed, truth) / truth.size,
    reviewShare: count.review / records.length,
    outcomes: count,
  };
}

describe("the matcher on a generated population with known truth", () => {
  let store: SubgraphStore;
  let figures: Figures;
  let statements: number;

  beforeAll(async () => {
    store = await openStore(partnership, uniqueDatabaseUrl("matching"), { poolSize: 2 });
    const population = generatePopulation(SEED, SIZE);
    const records: ExportedIdentity[] = [];
    const outcomes: MatchOutcome[] = [];
    const before = store.sql.statements;
    for (const agency of POPULATION_AGENCIES) {
      const exported = population.exports[agency];
      const result = await matchPeople(store.sql, agency, exported);
      for (const record of exported) {
        records.push(record);
        outcomes.push(result.get(record.reference)!);
      }
    }
    statements = store.sql.statements - before;
    figures = measure(records, outcomes);
    // The figures the README quotes.
    console.log(`matching ${SIZE} people, seed ${SEED}: ${JSON.stringify(figures, null, 2)}`);
  }, 240_000);
  afterAll(() => store?.close());

  it("links automatically with precision at least 0.99", () => {
    expect(figures.automaticPrecision).toBeGreaterThanOrEqual(0.99);
  });

  it("finds at least 0.95 of the true links once the review queue is decided", () => {
    expect(figures.recallWithReview).toBeGreaterThanOrEqual(0.95);
  });

  it("queues fewer than 5% of records for review", () => {
    expect(figures.reviewShare).toBeLessThan(0.05);
  });

  it("runs a constant number of statements per batch, whatever its size", () => {
    // Per agency: BEGIN/COMMIT are not counted; lock, linked, candidates and up to four writes.
    expect(statements).toBeLessThanOrEqual(POPULATION_AGENCIES.length * 7);
  });
});

describe("matchPeople's deterministic rules", () => {
  let store: SubgraphStore;
  beforeAll(async () => {
    store = await openStore(partnership, uniqueDatabaseUrl("matching_rules"), { poolSize: 2 });
  });
  afterAll(() => store?.close());

  const peggy = {
    reference: "HOU-1",
    givenName: "Margaret",
    familyName: "Smith-Jones",
    dateOfBirth: "1961-04-09",
    postcode: "E2 7QA",
    uprn: "100023336956",
  };

  it("makes a new person, then gives a reference already linked its person, changing nothing", async () => {
    const first = await matchPeople(store.sql, "housing", [peggy]);
    expect(first.get("HOU-1")).toMatchObject({ outcome: "new", method: "NEW" });
    const counts = () =>
      store.sql.one<{ people: number; refs: number }>(
        `SELECT (SELECT count(*) FROM people)::int AS people, (SELECT count(*) FROM person_references)::int AS refs`,
      );
    const before = await counts();
    const again = await matchPeople(store.sql, "housing", [
      { ...peggy, givenName: "Peggy", postcode: "N1 1AA" },
    ]);
    expect(again.get("HOU-1")).toEqual({
      personId: first.get("HOU-1")!.personId,
      outcome: "linked",
      method: "REFERENCE",
      score: null,
    });
    expect(await counts()).toEqual(before);
  });

  it("links a shared UPRN with exactly the same normalised name and date of birth, and records how", async () => {
    const housing = await matchPeople(store.sql, "housing", [peggy]);
    const council = await matchPeople(store.sql, "council", [
      { ...peggy, reference: "ASB-7", givenName: "MARGARET", familyName: "smith jones", postcode: null },
    ]);
    expect(council.get("ASB-7")).toMatchObject({
      personId: housing.get("HOU-1")!.personId,
      outcome: "linked",
      method: "IDENTIFIER",
    });
    const row = await store.sql.one<{ method: string; agreements: Record<string, string> }>(
      `SELECT method, agreements FROM matched_references WHERE agency_id = 'council' AND reference = 'ASB-7'`,
    );
    expect(row).toEqual({
      method: "IDENTIFIER",
      agreements: { givenName: "EXACT", familyName: "EXACT", dateOfBirth: "EXACT", uprn: "EXACT" },
    });
  });

  it("links a nickname, a dropped part of a double-barrelled name and a swapped date above the upper threshold", async () => {
    const police = await matchPeople(store.sql, "police", [
      {
        reference: "NOM-3",
        givenName: "Peggy",
        familyName: "Jones",
        dateOfBirth: "1961-09-04",
        postcode: "e27qa",
      },
    ]);
    expect(police.get("NOM-3")).toMatchObject({ outcome: "linked", method: "PROBABILISTIC" });
    const row = await store.sql.one<{ agreements: Record<string, string> }>(
      `SELECT agreements FROM matched_references WHERE agency_id = 'police' AND reference = 'NOM-3'`,
    );
    expect(row!.agreements).toEqual({
      givenName: "EQUIVALENT",
      familyName: "PART",
      dateOfBirth: "SWAPPED",
      postcode: "EXACT",
    });
  });

  it("queues a weaker candidate for review under a provisional person, and leaves a stranger alone", async () => {
    const youth = await matchPeople(store.sql, "youth", [
      // Initial only, the family name's other part, no date of birth, the same postcode.
      { reference: "UPN-1", givenName: "M", familyName: "Smith", dateOfBirth: null, postcode: "E2 7QA" },
      {
        reference: "UPN-2",
        givenName: "Kwame",
        familyName: "Mensah",
        dateOfBirth: "2011-02-03",
        postcode: "N16 5TT",
      },
    ]);
    const queued = youth.get("UPN-1")!;
    expect(queued).toMatchObject({ outcome: "review" });
    expect(queued.score).toBeGreaterThanOrEqual(12);
    expect(queued.personId).not.toEqual(queued.candidatePersonId);
    expect(youth.get("UPN-2")).toMatchObject({ outcome: "new" });
    const review = await store.sql.one(
      `SELECT agency_id, reference, candidate_person_id, provisional_person_id, status FROM person_match_reviews`,
    );
    expect(review).toEqual({
      agency_id: "youth",
      reference: "UPN-1",
      candidate_person_id: queued.candidatePersonId,
      provisional_person_id: queued.personId,
      status: "PENDING",
    });
  });
});

describe("the people already in the index", () => {
  let store: SubgraphStore;
  beforeAll(async () => {
    store = await openStore(partnership, uniqueDatabaseUrl("matching_indexed"), { poolSize: 2 });
  });
  afterAll(() => store?.close());

  it("are found by a first import once their references are remembered (as the demo seed does)", async () => {
    await store.sql.exec(
      `INSERT INTO people (id, given_name, family_name, date_of_birth) VALUES ('per-000002', 'Amara', 'Okafor', '2010-05-04')`,
    );
    await store.sql.exec(
      `INSERT INTO person_references (person_id, agency_id, reference) VALUES ('per-000002', 'police', 'NOM-2')`,
    );
    expect(await rememberIndexedReferences(store.sql)).toBe(1);
    expect(await rememberIndexedReferences(store.sql)).toBe(0);
    const council = await matchPeople(store.sql, "council", [
      { reference: "ASB-2", givenName: "Amara", familyName: "Okafor", dateOfBirth: "2010-04-05" },
    ]);
    expect(council.get("ASB-2")).toMatchObject({ personId: "per-000002", outcome: "linked" });
  });
});

describe("twins", () => {
  let store: SubgraphStore;
  beforeAll(async () => {
    store = await openStore(partnership, uniqueDatabaseUrl("matching_twins"), { poolSize: 2 });
  });
  afterAll(() => store?.close());

  it("are never linked automatically, however much else agrees: the given names disagree outright", async () => {
    const home = {
      familyName: "Quinlan",
      dateOfBirth: "2008-10-24",
      postcode: "E2 7QA",
      uprn: "100023336956",
    };
    await matchPeople(store.sql, "housing", [{ reference: "HOU-1", givenName: "Grace", ...home }]);
    const council = await matchPeople(store.sql, "council", [
      { reference: "ASB-1", givenName: "Bilal", ...home },
    ]);
    // Family name, date of birth, postcode and UPRN: 39 bits, less 6 for the given name.
    expect(council.get("ASB-1")).toMatchObject({ outcome: "review" });
    expect(council.get("ASB-1")!.score).toBeGreaterThan(20);
  });
});

describe("what the matcher keeps of a reference", () => {
  let store: SubgraphStore;
  beforeAll(async () => {
    store = await openStore(partnership, uniqueDatabaseUrl("matching_erase"), { poolSize: 2 });
  });
  afterAll(() => store?.close());

  it("goes with the reference: dropping it (as erasure does) drops its identity and its reviews", async () => {
    await matchPeople(store.sql, "housing", [
      {
        reference: "HOU-1",
        givenName: "Ann",
        familyName: "Lee",
        dateOfBirth: "1990-01-02",
        postcode: "E1 6AN",
      },
    ]);
    const youth = await matchPeople(store.sql, "youth", [
      { reference: "UPN-1", givenName: "A", familyName: "Lee", dateOfBirth: null, postcode: "E1 6AN" },
    ]);
    expect(youth.get("UPN-1")!.outcome).toBe("review");
    await store.sql.exec(`DELETE FROM person_references WHERE agency_id = 'youth'`);
    const left = await store.sql.one(
      `SELECT (SELECT count(*) FROM matched_references WHERE agency_id = 'youth')::int AS matched,
              (SELECT count(*) FROM person_match_reviews)::int AS reviews`,
    );
    expect(left).toEqual({ matched: 0, reviews: 0 });
  });
});
