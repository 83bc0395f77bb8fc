import type { MigrationInterface, QueryRunner } from "typeorm";
import { grantTo, quoteIdentifier as ident, roleName } from "../../shared/database-roles";

/**
 * Merging people in the people index (issue 20). A merge is a pointer, not a move: `person_merges`
 * records that `merged_id` is the same person as `survivor_id` (who, for which agency, when, why),
 * and nothing else is rewritten, neither here (references, cases, reviews keep the ids they name) nor
 * at any agency (records keep their own person id, so consents and subjects stay each record's own).
 * Whose records are a person's follows from the merges in force (Person.personIds); a split ends one
 * merge (split_at and the rest set once), which restores exactly what was there before it. A person
 * is merged into at most one other at a time. The service inserts merges and sets a split's columns,
 * nothing more; the ingest role reads them (the matcher offers a merged person's survivor).
 */
export class PersonMerges1796600000001 implements MigrationInterface {
  name = "PersonMerges1796600000001";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE person_merges (
        id text PRIMARY KEY,
        survivor_id text NOT NULL REFERENCES people (id),
        merged_id text NOT NULL REFERENCES people (id),
        agency_id text NOT NULL,
        merged_by text NOT NULL,
        merged_at timestamptz NOT NULL,
        note text NOT NULL,
        split_agency_id text,
        split_by text,
        split_at timestamptz,
        split_note text,
        CHECK (survivor_id <> merged_id),
        CHECK ((split_at IS NULL) = (split_by IS NULL)
           AND (split_at IS NULL) = (split_note IS NULL)
           AND (split_at IS NULL) = (split_agency_id IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX person_merges_merged ON person_merges (merged_id) WHERE split_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX person_merges_survivor ON person_merges (survivor_id) WHERE split_at IS NULL`,
    );
    // A split is set once: a merge split is history, and a new merge is a new row.
    await q.query(`
      CREATE FUNCTION person_merges_split_once() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        RAISE EXCEPTION 'merge % was split: it is not changed again', OLD.id USING ERRCODE = 'check_violation';
      END
      $$`);
    // Fired by the trigger whoever updates; no one calls it.
    await q.query(`REVOKE EXECUTE ON FUNCTION person_merges_split_once() FROM PUBLIC`);
    await q.query(`
      CREATE TRIGGER person_merges_split_once BEFORE UPDATE ON person_merges
        FOR EACH ROW WHEN (OLD.split_at IS NOT NULL) EXECUTE FUNCTION person_merges_split_once()`);
    await grantTo(q, "service", ["INSERT"], ["person_merges"]);
    const [{ name }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
    await q.query(
      `GRANT UPDATE (split_agency_id, split_by, split_at, split_note) ON TABLE person_merges TO ${ident(roleName(name, "service"))}`,
    );
    await q.query(`GRANT SELECT ON TABLE person_merges TO ${ident(roleName(name, "ingest"))}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE person_merges`);
    await q.query(`DROP FUNCTION person_merges_split_once()`);
  }
}
