import type { MigrationInterface, QueryRunner } from "typeorm";
import { quoteIdentifier as ident, roleName } from "../../shared/database-roles";

/**
 * People recognised across agencies (issue 20). `matched_references` keeps, per agency reference,
 * the identity the agency exported (what later records are compared with), the blocking keys the
 * matcher looks candidates up by, and how the reference came to its person (the method, score and
 * field agreements of the link). `person_match_reviews` is the review queue: a reference the
 * matcher could neither link nor leave, with the person it may be, for a DSO of the agency whose
 * reference it is. The matcher writes both as the people index's writer (whoever may insert people,
 * as the seed does); the service reads them and decides a review only through `person_match_decide`,
 * a definer function that can do nothing but what a pending review proposes: it never inserts a
 * reference or a person (database-roles tests). Both go with their reference: an erasure that
 * moves the reference aside drops them (an undo puts the reference back; the identity returns
 * with the agency's next export).
 */
export class PeopleMatching1796589361515 implements MigrationInterface {
  name = "PeopleMatching1796589361515";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE matched_references (
        agency_id text NOT NULL,
        reference text NOT NULL,
        person_id text NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        given_name text,
        family_name text,
        date_of_birth date,
        postcode text,
        uprn text,
        family_codes text[] NOT NULL DEFAULT '{}',
        given_initial text,
        birth_year int,
        swapped_date_of_birth date,
        method text NOT NULL CHECK (method IN ('INDEXED', 'REFERENCE', 'IDENTIFIER', 'PROBABILISTIC', 'REVIEW', 'NEW')),
        score double precision,
        agreements jsonb NOT NULL DEFAULT '{}',
        matched_at timestamptz NOT NULL,
        PRIMARY KEY (agency_id, reference),
        -- What an agency exported about a person goes with its reference: erasure (which moves the
        -- reference aside) and anything else that drops one drops it too.
        FOREIGN KEY (agency_id, reference) REFERENCES person_references (agency_id, reference) ON DELETE CASCADE
      )`);
    // One index per blocking rule (matching/repository.ts), so no rule reads the whole index.
    await q.query(`CREATE INDEX matched_references_person ON matched_references (person_id)`);
    await q.query(
      `CREATE INDEX matched_references_family_codes ON matched_references USING gin (family_codes)`,
    );
    await q.query(`CREATE INDEX matched_references_birth_year ON matched_references (birth_year)`);
    await q.query(`CREATE INDEX matched_references_date_of_birth ON matched_references (date_of_birth)`);
    await q.query(`CREATE INDEX matched_references_uprn ON matched_references (uprn)`);
    await q.query(`CREATE INDEX matched_references_postcode ON matched_references (postcode, given_initial)`);
    await q.query(`
      CREATE TABLE person_match_reviews (
        id text PRIMARY KEY,
        agency_id text NOT NULL,
        reference text NOT NULL,
        candidate_person_id text NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        provisional_person_id text NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        score double precision NOT NULL,
        agreements jsonb NOT NULL,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'CONFIRMED', 'REJECTED')),
        created_at timestamptz NOT NULL,
        decided_by text,
        decided_at timestamptz,
        note text,
        CHECK ((status = 'PENDING') = (decided_at IS NULL)),
        FOREIGN KEY (agency_id, reference) REFERENCES person_references (agency_id, reference) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE UNIQUE INDEX person_match_reviews_pending ON person_match_reviews (agency_id, reference) WHERE status = 'PENDING'`,
    );
    await q.query(
      `CREATE INDEX person_match_reviews_queue ON person_match_reviews (agency_id, status, created_at, id)`,
    );
    // search_path pinned and every name qualified: no object of the caller's can stand in.
    await q.query(`
      CREATE FUNCTION person_match_decide(review_id text, agency text, confirm boolean, decided_by text, note text)
      RETURNS text LANGUAGE plpgsql VOLATILE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        item public.person_match_reviews;
      BEGIN
        SELECT * INTO item FROM public.person_match_reviews r
         WHERE r.id = review_id AND r.agency_id = agency AND r.status = 'PENDING' FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'no pending review % of %', review_id, agency USING ERRCODE = 'no_data_found';
        END IF;
        IF confirm THEN
          -- The reference moves from its provisional person to the candidate, and only it.
          UPDATE public.person_references SET person_id = item.candidate_person_id
           WHERE agency_id = item.agency_id AND reference = item.reference AND person_id = item.provisional_person_id;
          IF NOT FOUND THEN
            RAISE EXCEPTION 'the reference of review % is no longer its provisional person''s', review_id
              USING ERRCODE = 'no_data_found';
          END IF;
          UPDATE public.matched_references SET person_id = item.candidate_person_id, method = 'REVIEW',
                 score = item.score, agreements = item.agreements, matched_at = clock_timestamp()
           WHERE agency_id = item.agency_id AND reference = item.reference;
        END IF;
        UPDATE public.person_match_reviews r
           SET status = CASE WHEN confirm THEN 'CONFIRMED' ELSE 'REJECTED' END,
               decided_by = person_match_decide.decided_by, decided_at = clock_timestamp(),
               note = person_match_decide.note
         WHERE r.id = review_id;
        RETURN CASE WHEN confirm THEN 'CONFIRMED' ELSE 'REJECTED' END;
      END
      $$`);
    const [{ name }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
    const service = ident(roleName(name, "service"));
    const fn = "person_match_decide(text, text, boolean, text, text)";
    await q.query(`REVOKE EXECUTE ON FUNCTION ${fn} FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${service}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION person_match_decide(text, text, boolean, text, text)`);
    await q.query(`DROP TABLE person_match_reviews`);
    await q.query(`DROP TABLE matched_references`);
  }
}
