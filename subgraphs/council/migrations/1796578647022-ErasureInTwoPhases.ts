import type { MigrationInterface, QueryRunner } from "typeorm";
import { createErasureTables } from "../../shared/erasure";

/**
 * Erasure in two phases (shared/erasure.ts): the rows an erasure takes are moved aside until
 * governance decides it, and put back if it is undone. The council service may put back the parties, cases and interventions it moved aside.
 */
export class ErasureInTwoPhases1796578647022 implements MigrationInterface {
  name = "ErasureInTwoPhases1796578647022";

  async up(q: QueryRunner): Promise<void> {
    await createErasureTables(q, ["asb_cases", "asb_interventions", "asb_parties"]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE erasures_undone`);
    await q.query(`DROP TABLE erasure_pending`);
  }
}
