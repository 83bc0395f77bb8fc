import type { Sql } from "../../shared/database";
import type { BlockingKeys } from "./normalise";

/** All the matcher's SQL: every statement takes the whole batch, so a batch costs a constant number. */

/** A candidate's identity as another record of the person gave it. */
export interface CandidateRow {
  /** Position of the batch record the candidate was found for. */
  i: number;
  person_id: string;
  agency_id: string;
  given_name: string | null;
  family_name: string | null;
  date_of_birth: string | null;
  postcode: string | null;
  uprn: string | null;
}

/** What a batch record is written as: its identity, keys and how it came to its person. */
export interface MatchedWrite {
  /** The batch's agency unless given (remembering the index's own references spans agencies). */
  agencyId?: string;
  reference: string;
  personId: string;
  givenName: string | null;
  familyName: string | null;
  dateOfBirth: string | null;
  postcode: string | null;
  uprn: string | null;
  keys: BlockingKeys;
  method: "REFERENCE" | "IDENTIFIER" | "PROBABILISTIC" | "REVIEW" | "NEW" | "INDEXED";
  score: number | null;
  agreements: Record<string, string>;
}

export interface ReviewWrite {
  id: string;
  reference: string;
  candidatePersonId: string;
  provisionalPersonId: string;
  score: number;
  agreements: Record<string, string>;
}

export interface NewPerson {
  id: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string | null;
}

// 0x6d617463 ("matc"): one matcher at a time, so two batches never both make the same new person.
const MATCHING_LOCK = 1835103331;

export class MatchingRepository {
  constructor(private readonly sql: Sql) {}

  lock(): Promise<number> {
    return this.sql.exec(`SELECT pg_advisory_xact_lock(${MATCHING_LOCK})`);
  }

  /** The person each of the agency's references already belongs to. */
  async linked(agencyId: string, references: string[]): Promise<Map<string, string>> {
    const rows = await this.sql.many<{ reference: string; person_id: string }>(
      `SELECT reference, person_id FROM person_references WHERE agency_id = $1 AND reference = ANY ($2::text[])`,
      [agencyId, references],
    );
    return new Map(rows.map((r) => [r.reference, r.person_id]));
  }

  /**
   * Blocking: the identities of people who may be the same as each batch record, found by any one
   * of six rules, each an indexed lookup (so scoring never meets all pairs): family-name code and
   * year of birth; date of birth; date of birth with day and month exchanged; UPRN; postcode and
   * given initial; family-name code and given initial (for a missing or wrong date of birth).
   * People the agency already has a reference for are left out: an agency's own system tells its
   * people apart, and a person holds one reference per agency. A person merged into another
   * (person_merges) is offered as the person it is merged into, whose records its are.
   */
  candidates(agencyId: string, keys: BlockingKeys[]): Promise<CandidateRow[]> {
    const batch = keys.map((k, i) => ({
      i,
      family_codes: k.familyCodes,
      given_initial: k.givenInitial,
      birth_year: k.birthYear,
      dob: k.dateOfBirth,
      swapped: k.swappedDateOfBirth,
      postcode: k.postcode,
      uprn: k.uprn,
    }));
    return this.sql.many<CandidateRow>(
      `WITH q AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS q(i int, family_codes text[], given_initial text,
           birth_year int, dob date, swapped date, postcode text, uprn text)),
       found AS (
         SELECT q.i, m.agency_id, m.reference FROM q JOIN matched_references m
             ON m.family_codes && q.family_codes AND m.birth_year = q.birth_year
         UNION SELECT q.i, m.agency_id, m.reference FROM q JOIN matched_references m ON m.date_of_birth = q.dob
         UNION SELECT q.i, m.agency_id, m.reference FROM q JOIN matched_references m ON m.date_of_birth = q.swapped
         UNION SELECT q.i, m.agency_id, m.reference FROM q JOIN matched_references m ON m.uprn = q.uprn
         UNION SELECT q.i, m.agency_id, m.reference FROM q JOIN matched_references m
             ON m.postcode = q.postcode AND m.given_initial = q.given_initial
         UNION SELECT q.i, m.agency_id, m.reference FROM q JOIN matched_references m
             ON m.family_codes && q.family_codes AND m.given_initial = q.given_initial)
       SELECT f.i, s.person_id, m.agency_id, m.given_name, m.family_name,
              to_char(m.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, m.postcode, m.uprn
         FROM found f JOIN matched_references m USING (agency_id, reference)
         -- A merged person's identity offers the person it is merged into (through merges of merges).
         CROSS JOIN LATERAL (
           WITH RECURSIVE up(id, depth) AS (
             SELECT m.person_id, 0
             UNION ALL SELECT pm.survivor_id, up.depth + 1
               FROM up JOIN person_merges pm ON pm.merged_id = up.id AND pm.split_at IS NULL)
           SELECT id AS person_id FROM up ORDER BY depth DESC LIMIT 1) s
        WHERE NOT EXISTS (
          -- Nor is one whose records, merged ones included, hold a reference of the agency.
          WITH RECURSIVE g(id) AS (
            SELECT s.person_id
            UNION SELECT pm.merged_id FROM g JOIN person_merges pm ON pm.survivor_id = g.id AND pm.split_at IS NULL)
          SELECT 1 FROM g JOIN person_references r ON r.person_id = g.id AND r.agency_id = $2)`,
      [JSON.stringify(batch), agencyId],
    );
  }

  /** References in the people index the matcher has no identity for (the seed's, or made before it). */
  unremembered(limit: number): Promise<
    {
      agency_id: string;
      reference: string;
      person_id: string;
      given_name: string;
      family_name: string;
      date_of_birth: string | null;
    }[]
  > {
    return this.sql.many(
      `SELECT r.agency_id, r.reference, r.person_id, p.given_name, p.family_name,
              to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth
         FROM person_references r JOIN people p ON p.id = r.person_id
        WHERE NOT EXISTS (SELECT 1 FROM matched_references m WHERE m.agency_id = r.agency_id AND m.reference = r.reference)
        ORDER BY r.agency_id, r.reference LIMIT $1`,
      [limit],
    );
  }

  async write(
    agencyId: string,
    at: Date,
    people: NewPerson[],
    links: { reference: string; personId: string }[],
    matched: MatchedWrite[],
    reviews: ReviewWrite[],
  ): Promise<void> {
    if (people.length)
      await this.sql.exec(
        `INSERT INTO people (id, given_name, family_name, date_of_birth)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[])`,
        [
          people.map((p) => p.id),
          people.map((p) => p.givenName),
          people.map((p) => p.familyName),
          people.map((p) => p.dateOfBirth),
        ],
      );
    if (links.length)
      await this.sql.exec(
        `INSERT INTO person_references (person_id, agency_id, reference)
         SELECT p, $1, r FROM unnest($2::text[], $3::text[]) AS t (p, r)`,
        [agencyId, links.map((l) => l.personId), links.map((l) => l.reference)],
      );
    if (matched.length)
      // A reference seen again keeps how it was linked; its identity and keys become the latest export's
      // (the keys follow from the identity).
      await this.sql.exec(
        `INSERT INTO matched_references (agency_id, reference, person_id, given_name, family_name, date_of_birth,
           postcode, uprn, family_codes, given_initial, birth_year, swapped_date_of_birth, method, score,
           agreements, matched_at)
         SELECT coalesce(m.agency_id, $1), m.reference, m.person_id, m.given_name, m.family_name, m.date_of_birth, m.postcode, m.uprn,
                m.family_codes, m.given_initial, m.birth_year, m.swapped_date_of_birth, m.method, m.score,
                m.agreements, $3
           FROM jsonb_to_recordset($2::jsonb) AS m(agency_id text, reference text, person_id text, given_name text, family_name text,
             date_of_birth date, postcode text, uprn text, family_codes text[], given_initial text, birth_year int,
             swapped_date_of_birth date, method text, score double precision, agreements jsonb)
         ON CONFLICT (agency_id, reference) DO UPDATE SET
           given_name = excluded.given_name, family_name = excluded.family_name,
           date_of_birth = excluded.date_of_birth, postcode = excluded.postcode, uprn = excluded.uprn,
           family_codes = excluded.family_codes, given_initial = excluded.given_initial,
           birth_year = excluded.birth_year, swapped_date_of_birth = excluded.swapped_date_of_birth
         -- The same export again writes nothing.
         WHERE (matched_references.given_name, matched_references.family_name, matched_references.date_of_birth,
                matched_references.postcode, matched_references.uprn)
               IS DISTINCT FROM (excluded.given_name, excluded.family_name, excluded.date_of_birth,
                                 excluded.postcode, excluded.uprn)`,
        [
          agencyId,
          JSON.stringify(
            matched.map((m) => ({
              agency_id: m.agencyId ?? null,
              reference: m.reference,
              person_id: m.personId,
              given_name: m.givenName,
              family_name: m.familyName,
              date_of_birth: m.dateOfBirth,
              postcode: m.postcode,
              uprn: m.uprn,
              family_codes: m.keys.familyCodes,
              given_initial: m.keys.givenInitial,
              birth_year: m.keys.birthYear,
              swapped_date_of_birth: m.keys.swappedDateOfBirth,
              method: m.method,
              score: m.score,
              agreements: m.agreements,
            })),
          ),
          at,
        ],
      );
    if (reviews.length)
      await this.sql.exec(
        `INSERT INTO person_match_reviews (id, agency_id, reference, candidate_person_id, provisional_person_id,
           score, agreements, created_at)
         SELECT r.id, $1, r.reference, r.candidate, r.provisional, r.score, r.agreements, $3
           FROM jsonb_to_recordset($2::jsonb) AS r(id text, reference text, candidate text, provisional text,
             score double precision, agreements jsonb)`,
        [
          agencyId,
          JSON.stringify(
            reviews.map((r) => ({
              id: r.id,
              reference: r.reference,
              candidate: r.candidatePersonId,
              provisional: r.provisionalPersonId,
              score: r.score,
              agreements: r.agreements,
            })),
          ),
          at,
        ],
      );
  }
}
