import type { MigrationInterface, QueryRunner } from "typeorm";
import { quoteIdentifier as ident, roleName } from "../../shared/database-roles";
import { createErasureTables } from "../../shared/erasure";

async function databaseName(q: QueryRunner): Promise<string> {
  return ((await q.query(`SELECT current_database() AS name`)) as { name: string }[])[0].name;
}

/**
 * Erasure in two phases (shared/erasure.ts): the rows an erasure takes are moved aside until
 * governance decides it, and put back if it is undone. The police service may put back an involvement it moved aside.
 *
 * Retention: an incident whose period has run out goes back to what police.uk publishes, so the
 * police service may now clear its officer's account and exact time and put back the published
 * summary (those three columns only: it still may not rewrite an incident otherwise).
 */
export class ErasureInTwoPhases1796578647022 implements MigrationInterface {
  name = "ErasureInTwoPhases1796578647022";

  async up(q: QueryRunner): Promise<void> {
    await createErasureTables(q, ["involvements"]);
    await q.query(
      `GRANT UPDATE (summary, narrative, occurred_at) ON TABLE incidents TO ${ident(roleName(await databaseName(q), "service"))}`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE erasures_undone`);
    await q.query(`DROP TABLE erasure_pending`);
  }
}
