import { partnership } from "../../subgraphs/partnership/server";
import { openStore, type SubgraphStore } from "../../subgraphs/shared/database";
import { matchPeople, type MatchOutcome } from "../../subgraphs/partnership/matching";
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
const SEED = 20;
const SIZE = 2000;

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
