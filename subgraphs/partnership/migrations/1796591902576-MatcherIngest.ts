import type { MigrationInterface, QueryRunner } from "typeorm";
import { quoteIdentifier as ident, roleName } from "../../shared/database-roles";

/**
 * The ingestion path finds people through the matcher (people-index.ts → matching/), as the ingest
 * role, in the file's own transaction. The role gets what the matcher does and nothing more: read
 * the identities agencies exported (its candidates) and add a reference's, update a reference's
 * identity when the agency's export changes it (never the person, method or score it was linked by),
 * and queue a review (never read, decide or change one: DSOs decide through person_match_decide).
 */
export class MatcherIngest1796591902576 implements MigrationInterface {
  name = "MatcherIngest1796591902576";

  async up(q: QueryRunner): Promise<void> {
    const [{ name }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
    const ingest = ident(roleName(name, "ingest"));
    await q.query(`GRANT SELECT, INSERT ON TABLE matched_references TO ${ingest}`);
    await q.query(
      `GRANT UPDATE (given_name, family_name, date_of_birth, postcode, uprn, family_codes, given_initial, birth_year,
         swapped_date_of_birth) ON TABLE matched_references TO ${ingest}`,
    );
    await q.query(`GRANT INSERT ON TABLE person_match_reviews TO ${ingest}`);
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ name }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
    const ingest = ident(roleName(name, "ingest"));
    await q.query(`REVOKE ALL ON TABLE matched_references, person_match_reviews FROM ${ingest}`);
  }
}
