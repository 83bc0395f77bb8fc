import type { MigrationInterface, QueryRunner } from "typeorm";
import { eraseThroughDefinerFunctions, eraseThroughServiceGrants } from "../../shared/erasure";

/** The housing store's erased tables, parents first (the order an undo puts them back in). */
const ERASED = ["tenancies", "tenancy_actions", "tenancy_occupants", "housing_reports"];

/**
 * Least privilege again (ErasureInTwoPhases1796578647022 let the service insert into its erased
 * tables and into erasure_pending): the tenancies, their actions and occupants, and the reports are moved aside and put back only
 * through the definer's functions (shared/erasure.ts).
 */
export class ErasureThroughDefinerFunctions1796583231004 implements MigrationInterface {
  name = "ErasureThroughDefinerFunctions1796583231004";

  async up(q: QueryRunner): Promise<void> {
    await eraseThroughDefinerFunctions(q, ERASED);
  }

  async down(q: QueryRunner): Promise<void> {
    await eraseThroughServiceGrants(q, ERASED);
  }
}
