import type { MigrationInterface, QueryRunner } from "typeorm";
import { grantTo, quoteIdentifier as ident, roleName } from "../../shared/database-roles";

/**
 * Rectification of the people index (issue 18): a data-sharing officer corrects a person's name or
 * date of birth with the evidence for it. The values replaced are kept, with who replaced them and
 * why, in `person_identity_history`, which only DSOs read (Person.identityHistory). The service,
 * which until now never wrote the people index, may now update its identity columns and append to
 * the history, nothing more.
 */
export class IdentityRectification1765100000001 implements MigrationInterface {
  name = "IdentityRectification1765100000001";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE person_identity_history (
        id bigserial PRIMARY KEY,
        person_id text NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        given_name text NOT NULL,
        family_name text NOT NULL,
        date_of_birth date,
        replaced_at timestamptz NOT NULL,
        replaced_by_agency_id text NOT NULL,
        replaced_by text NOT NULL,
        evidence_ref text NOT NULL CHECK (btrim(evidence_ref) <> ''),
        request_id text NOT NULL
      )`);
    await q.query(`CREATE INDEX person_identity_history_person ON person_identity_history (person_id, id)`);
    await grantTo(q, "service", ["INSERT"], ["person_identity_history"]);
    await q.query(`GRANT USAGE ON SEQUENCE person_identity_history_id_seq TO ${await serviceRole(q)}`);
    // Column privileges: the service corrects identity, never ids or anything else of the index.
    await q.query(
      `GRANT UPDATE (given_name, family_name, date_of_birth) ON TABLE people TO ${await serviceRole(q)}`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `REVOKE UPDATE (given_name, family_name, date_of_birth) ON TABLE people FROM ${await serviceRole(q)}`,
    );
    await q.query(`DROP TABLE person_identity_history`);
  }
}

async function serviceRole(q: QueryRunner): Promise<string> {
  const [{ name }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
  return ident(roleName(name, "service"));
}
