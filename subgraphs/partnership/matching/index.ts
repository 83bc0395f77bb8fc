import { randomUUID } from "node:crypto";
import type { Sql } from "../../shared/database";
import { blockingKeys, normalise, type AgencyIdentity, type NormalisedIdentity } from "./normalise";
import { MatchingRepository, type MatchedWrite, type NewPerson, type ReviewWrite } from "./repository";
import { compare, type Comparison } from "./weights";

export type { AgencyIdentity } from "./normalise";

/**
 * matchPeople: recognises the people of one agency's records in the partnership's people index.
 * The one entry point for the ingestion path; batch-shaped, a constant number of statements per
 * batch. `sql` is the partnership database as a writer of the people index: the ingest role (what
 * `npm run ingest` connects as; IngestPeople and MatcherIngest migrations grant it exactly this) or
 * the migrator (the seed, tests); the service role may not add people. Given a transaction's Sql,
 * the matcher writes in that transaction (the ingestion path's file, so a refused file or a dry run
 * leaves nothing of it, the queue included, and the matcher's lock is held until it commits);
 * given a pool's, in one transaction of its own.
 *
 *   const outcomes = await matchPeople(sql, "housing", [
 *     { reference: "T-1001", givenName: "Bill", familyName: "Smith-Jones", dateOfBirth: "1980-03-07",
 *       postcode: "E1 6AN", uprn: "100023336956" },
 *   ]);
 *   outcomes.get("T-1001") // { personId: "per-…", outcome: "linked" | "review" | "new", score }
 *
 * For each record, in order:
 * 1. deterministic: a reference the agency already has in the index gives its person ("linked");
 *    a UPRN shared with a person, with exactly the same normalised given and family name and date
 *    of birth, links to that person ("linked", method IDENTIFIER);
 * 2. probabilistic: candidates found by blocking (repository.ts) are scored with Fellegi-Sunter
 *    weights (weights.ts) against every identity other agencies gave the person, keeping the best;
 *    at or above `upper` the reference is linked ("linked"), unless the given names disagree
 *    outright (twins: see nameConflict); at or above `lower` it waits in the
 *    review queue for a DSO of the agency ("review": it is given a provisional person of its own
 *    meanwhile, the id returned, and confirming moves the reference to the candidate); below, a
 *    new person ("new").
 * A person holds one reference per agency: people the agency already references are no candidates,
 * and of two records of a batch that would link to the same person, the higher score wins (the
 * other is a new person). Every link is recorded in matched_references with its method, score
 * and the level each field agreed at.
 */
export async function matchPeople(
  sql: Sql,
  agencyId: string,
  identities: readonly AgencyIdentity[],
  options: MatchOptions = {},
): Promise<Map<string, MatchOutcome>> {
  const { upper, lower } = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const at = options.now ?? new Date();
  // One record per reference: the last in the batch is the agency's latest.
  const records = [...new Map(identities.map((r) => [r.reference, r])).values()];
  if (!records.length) return new Map();
  const inTransaction = <T>(work: (tx: Sql) => Promise<T>) =>
    sql.inTransaction ? work(sql) : sql.transaction(work);
  return inTransaction(async (tx) => {
    const repo = new MatchingRepository(tx);
    await repo.lock();
    const linked = await repo.linked(
      agencyId,
      records.map((r) => r.reference),
    );
    const normalised = records.map(normalise);
    const keys = normalised.map(blockingKeys);
    const open = records.map((_, i) => i).filter((i) => !linked.has(records[i].reference));
    const rows = await repo.candidates(
      agencyId,
      open.map((i) => keys[i]),
    );

    // The best person for each open record: its highest-scoring identity of that person.
    const best = new Map<number, Scored>();
    const byRecord = new Map<number, Map<string, Scored>>();
    for (const row of rows) {
      const i = open[row.i];
      const other = normalise({
        reference: "",
        givenName: row.given_name,
        familyName: row.family_name,
        dateOfBirth: row.date_of_birth,
        postcode: row.postcode,
        uprn: row.uprn,
      });
      const scored: Scored = {
        personId: row.person_id,
        ...compare(normalised[i], other),
        identifier: sameByIdentifier(normalised[i], other),
      };
      let people = byRecord.get(i);
      if (!people) byRecord.set(i, (people = new Map()));
      const kept = people.get(row.person_id);
      if (!kept || rank(scored) > rank(kept)) people.set(row.person_id, scored);
    }
    for (const [i, people] of byRecord) {
      for (const scored of people.values()) {
        const current = best.get(i);
        if (!current || rank(scored) > rank(current)) best.set(i, scored);
      }
    }

    const outcomes = new Map<string, MatchOutcome>();
    const people: NewPerson[] = [];
    const links: { reference: string; personId: string }[] = [];
    const matched: MatchedWrite[] = [];
    const reviews: ReviewWrite[] = [];
    const claimed = new Set<string>();
    const newPerson = (i: number): string => {
      const id = `per-${randomUUID()}`;
      const record = records[i];
      people.push({
        id,
        givenName: record.givenName?.trim() || "Unknown",
        familyName: record.familyName?.trim() || "Unknown",
        dateOfBirth: keys[i].dateOfBirth,
      });
      return id;
    };
    const write = (i: number, personId: string, method: MatchedWrite["method"], scored: Scored | null) => {
      const r = records[i];
      matched.push({
        reference: r.reference,
        personId,
        givenName: r.givenName,
        familyName: r.familyName,
        dateOfBirth: keys[i].dateOfBirth,
        postcode: normalised[i].postcode,
        uprn: normalised[i].uprn,
        keys: keys[i],
        method,
        score: scored ? round(scored.score) : null,
        agreements: scored ? { ...scored.levels } : {},
      });
    };

    // Strongest claims first, so two records of the batch never take one person.
    const order = records
      .map((_, i) => i)
      .sort(
        (a, b) =>
          (best.get(b) ? rank(best.get(b)!) : -Infinity) - (best.get(a) ? rank(best.get(a)!) : -Infinity),
      );
    for (const i of order) {
      const reference = records[i].reference;
      const known = linked.get(reference);
      if (known) {
        outcomes.set(reference, { personId: known, outcome: "linked", method: "REFERENCE", score: null });
        write(i, known, "REFERENCE", null);
        continue;
      }
      const candidate = best.get(i);
      const free = candidate && !claimed.has(candidate.personId);
      if (free && (candidate.identifier || (candidate.score >= upper && !nameConflict(candidate)))) {
        const method = candidate.identifier ? "IDENTIFIER" : "PROBABILISTIC";
        claimed.add(candidate.personId);
        links.push({ reference, personId: candidate.personId });
        write(i, candidate.personId, method, candidate);
        outcomes.set(reference, {
          personId: candidate.personId,
          outcome: "linked",
          method,
          score: round(candidate.score),
        });
      } else if (free && candidate.score >= lower) {
        const provisional = newPerson(i);
        const reviewId = `pmr-${randomUUID()}`;
        links.push({ reference, personId: provisional });
        write(i, provisional, "NEW", candidate);
        reviews.push({
          id: reviewId,
          reference,
          candidatePersonId: candidate.personId,
          provisionalPersonId: provisional,
          score: round(candidate.score),
          agreements: { ...candidate.levels },
        });
        outcomes.set(reference, {
          personId: provisional,
          outcome: "review",
          method: "NEW",
          score: round(candidate.score),
          candidatePersonId: candidate.personId,
          reviewId,
        });
      } else {
        const id = newPerson(i);
        links.push({ reference, personId: id });
        write(i, id, "NEW", null);
        outcomes.set(reference, {
          personId: id,
          outcome: "new",
          method: "NEW",
          score: candidate ? round(candidate.score) : null,
        });
      }
    }
    await repo.write(agencyId, at, people, links, matched, reviews);
    return outcomes;
  });
}

/** Thresholds on the score (bits): see weights.ts for the scale, the README for how they were chosen. */
export interface Thresholds {
  /** At or above: linked automatically. */
  upper: number;
  /** At or above (and below `upper`): the review queue. */
  lower: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { upper: 20, lower: 12 };

export interface MatchOptions {
  thresholds?: Partial<Thresholds>;
  /** When the links are recorded as made; now by default. */
  now?: Date;
}

export interface MatchOutcome {
  personId: string;
  outcome: "linked" | "review" | "new";
  /** How: an existing reference, a shared identifier, a score, or none (a new person). */
  method: "REFERENCE" | "IDENTIFIER" | "PROBABILISTIC" | "NEW";
  /** The best candidate's score, where there was one. */
  score: number | null;
  /** For "review": the person the reference may be. */
  candidatePersonId?: string;
  /** For "review": the queued review's id. */
  reviewId?: string;
}

interface Scored extends Comparison {
  personId: string;
  identifier: boolean;
}

/**
 * Given names that disagree outright (not a nickname, an initial or a near spelling) never link
 * automatically, whatever the rest agrees: the fields are not independent within a household, and
 * twins (same family name, date of birth and address) would otherwise score above any threshold.
 * They go to the review queue when the score is high enough.
 */
function nameConflict(scored: Scored): boolean {
  return scored.levels.givenName === "DISAGREE";
}

/** A shared identifier with exactly the same name and date of birth outranks any score. */
function rank(scored: Scored): number {
  return scored.identifier ? 1000 + scored.score : scored.score;
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}

/** The deterministic rule: the same UPRN, given name, family name and date of birth, all exactly. */
function sameByIdentifier(a: NormalisedIdentity, b: NormalisedIdentity): boolean {
  return (
    !!a.uprn &&
    a.uprn === b.uprn &&
    !!a.given.length &&
    a.given.join(" ") === b.given.join(" ") &&
    !!a.family.length &&
    a.family.join(" ") === b.family.join(" ") &&
    !!a.dateOfBirth &&
    !!b.dateOfBirth &&
    a.dateOfBirth.year === b.dateOfBirth.year &&
    a.dateOfBirth.month === b.dateOfBirth.month &&
    a.dateOfBirth.day === b.dateOfBirth.day
  );
}

/**
 * Gives the matcher the identity the people index holds for every reference it has none for (the
 * demo seed's, or references made before matching existed): name and date of birth from the index,
 * no postcode or UPRN. Without it a first import would find none of the people already there.
 * Idempotent; in chunks, so a large index is not one statement.
 */
export async function rememberIndexedReferences(sql: Sql, at = new Date()): Promise<number> {
  const repo = new MatchingRepository(sql);
  let remembered = 0;
  for (;;) {
    const rows = await repo.unremembered(5000);
    if (!rows.length) return remembered;
    const matched: MatchedWrite[] = rows.map((row) => {
      const identity = {
        reference: row.reference,
        givenName: row.given_name,
        familyName: row.family_name,
        dateOfBirth: row.date_of_birth,
      };
      return {
        agencyId: row.agency_id,
        reference: row.reference,
        personId: row.person_id,
        givenName: row.given_name,
        familyName: row.family_name,
        dateOfBirth: row.date_of_birth,
        postcode: null,
        uprn: null,
        keys: blockingKeys(normalise(identity)),
        method: "INDEXED",
        score: null,
        agreements: {},
      };
    });
    await repo.write("", at, [], [], matched, []);
    remembered += rows.length;
  }
}
