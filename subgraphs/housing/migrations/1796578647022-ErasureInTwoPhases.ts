import type { MigrationInterface, QueryRunner } from "typeorm";
import { createErasureTables } from "../../shared/erasure";

/**
 * Erasure in two phases (shared/erasure.ts): the rows an erasure takes are moved aside until
 * governance decides it, and put back if it is undone. The housing service may put back the tenancies, their actions and occupants, and the reports it moved aside.
 */
export class ErasureInTwoPhases1796578647022 implements MigrationInterface {
  name = "ErasureInTwoPhases1796578647022";

  async up(q: QueryRunner): Promise<void> {
    await createErasureTables(q, ["tenancies", "tenancy_actions", "tenancy_occupants", "housing_reports"]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE erasures_undone`);
    await q.query(`DROP TABLE erasure_pending`);
  }
}
