import type { MigrationInterface, QueryRunner } from "typeorm";
import { quoteIdentifier as ident, roleName } from "../../shared/database-roles";

/**
 * Erasure in two phases (issue 18, "nothing is half-erased"; shared/erasure.ts):
 *
 * - `erasures`: one row per erasure under way, from before its first phase until its second is
 *   done. `state` is PREPARING (the stores move the records aside), UNDOING (given up: they are put
 *   back) or DECIDED (the commit point: the stores drop what they moved aside). One per agency and
 *   person at a time. The row goes when the erasure is finished or undone everywhere.
 * - Governance's copy of a person's date of birth (`person_dates_of_birth`, read by the consent
 *   age rules) follows the people index: the partnership subgraph's login into governance may
 *   correct it when a DSO rectifies the date of birth, nothing else.
 */
export class ErasureDecisions1796578689180 implements MigrationInterface {
  name = "ErasureDecisions1796578689180";

  async up(q: QueryRunner): Promise<void> {
    const [{ name: database }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
    const service = ident(roleName(database, "service"));
    await q.query(`
      CREATE TABLE erasures (
        id text PRIMARY KEY,
        agency_id text NOT NULL REFERENCES agencies(id),
        person_id text NOT NULL,
        state text NOT NULL CHECK (state IN ('PREPARING', 'UNDOING', 'DECIDED')),
        anonymise boolean NOT NULL DEFAULT false,
        started_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT erasures_agency_person UNIQUE (agency_id, person_id)
      )`);
    await q.query(`GRANT INSERT, UPDATE, DELETE ON TABLE erasures TO ${service}`);
    await q.query(
      `GRANT UPDATE (date_of_birth) ON TABLE person_dates_of_birth TO ${ident(roleName(database, "access_partnership"))}`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ name: database }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
    await q.query(
      `REVOKE UPDATE (date_of_birth) ON TABLE person_dates_of_birth FROM ${ident(roleName(database, "access_partnership"))}`,
    );
    await q.query(`DROP TABLE erasures`);
  }
}
