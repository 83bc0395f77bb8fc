import type { MigrationInterface, QueryRunner } from "typeorm";
import { grantTo } from "../../shared/database-roles";
import { createErasureTables } from "../../shared/erasure";

/**
 * Erasure in two phases (shared/erasure.ts): the rows an erasure takes are moved aside until
 * governance decides it, and put back if it is undone. The partnership service may put back the case links and references it moved aside, and
 * delete an anonymised person's identity history.
 */
export class ErasureInTwoPhases1796578647022 implements MigrationInterface {
  name = "ErasureInTwoPhases1796578647022";

  async up(q: QueryRunner): Promise<void> {
    await createErasureTables(q, ["case_records", "person_references"]);
    await grantTo(q, "service", ["DELETE"], ["person_identity_history"]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE erasures_undone`);
    await q.query(`DROP TABLE erasure_pending`);
  }
}
