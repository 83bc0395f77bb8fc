import type { MigrationInterface, QueryRunner } from "typeorm";
import { quoteIdentifier as ident, roleName } from "../../shared/database-roles";
import { eraseThroughDefinerFunctions, eraseThroughServiceGrants } from "../../shared/erasure";
import { CRIME_TYPE_LABELS } from "../importer";

/** The police store's erased tables. */
const ERASED = ["involvements"];

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * Least privilege again (ErasureInTwoPhases1796578647022 widened the police service's):
 *
 * - an involvement is moved aside and put back only through the definer's functions
 *   (shared/erasure.ts), no longer by inserting into involvements or erasure_pending;
 * - retention returns an expired incident to what police.uk publishes through
 *   `incidents_back_to_published`, which clears the officer's account and the exact time and
 *   writes the published summary (importer.ts, incidentSummary: the label of its category, on or
 *   near its street), instead of letting the service update those columns to anything. The labels
 *   are the importer's as of this migration: a change to them needs a migration that makes the
 *   function again (the retention test compares the two).
 */
export class ErasureThroughDefinerFunctions1796583231004 implements MigrationInterface {
  name = "ErasureThroughDefinerFunctions1796583231004";

  async up(q: QueryRunner): Promise<void> {
    await eraseThroughDefinerFunctions(q, ERASED);
    await q.query(`
      CREATE FUNCTION incidents_back_to_published(ids text[])
      RETURNS integer LANGUAGE plpgsql VOLATILE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        labels constant jsonb := ${literal(JSON.stringify(CRIME_TYPE_LABELS))}::jsonb;
        changed integer;
      BEGIN
        UPDATE public.incidents i
           SET narrative = NULL, occurred_at = NULL,
               summary = CASE WHEN coalesce(i.street, '') = ''
                              THEN (labels ->> i.category) || ', location not published'
                              ELSE (labels ->> i.category) || ' on or near '
                                   || regexp_replace(i.street, '^on or near\\s+', '', 'i') END
         WHERE i.id = ANY (ids);
        GET DIAGNOSTICS changed = ROW_COUNT;
        RETURN changed;
      END
      $$`);
    const service = ident(roleName(await databaseName(q), "service"));
    await q.query(`REVOKE EXECUTE ON FUNCTION incidents_back_to_published(text[]) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION incidents_back_to_published(text[]) TO ${service}`);
    await q.query(`REVOKE UPDATE (summary, narrative, occurred_at) ON TABLE incidents FROM ${service}`);
  }

  async down(q: QueryRunner): Promise<void> {
    const service = ident(roleName(await databaseName(q), "service"));
    await q.query(`GRANT UPDATE (summary, narrative, occurred_at) ON TABLE incidents TO ${service}`);
    await q.query(`DROP FUNCTION incidents_back_to_published(text[])`);
    await eraseThroughServiceGrants(q, ERASED);
  }
}

async function databaseName(q: QueryRunner): Promise<string> {
  return ((await q.query(`SELECT current_database() AS name`)) as { name: string }[])[0].name;
}
