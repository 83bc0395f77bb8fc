import type { MigrationInterface, QueryRunner } from "typeorm";
import { eraseThroughDefinerFunctions, eraseThroughServiceGrants } from "../../shared/erasure";

/** The youth store's erased tables, parents first (the order an undo puts them back in). */
const ERASED = ["enrolments", "referrals", "referral_status_changes"];

/**
 * Least privilege again (ErasureInTwoPhases1796578647022 let the service insert into its erased
 * tables and into erasure_pending): the enrolments, referrals and their history are moved aside and put back only
 * through the definer's functions (shared/erasure.ts).
 * It still inserts referrals and their status changes, as it did before erasure (referProgramme).
 */
export class ErasureThroughDefinerFunctions1796583231004 implements MigrationInterface {
  name = "ErasureThroughDefinerFunctions1796583231004";

  async up(q: QueryRunner): Promise<void> {
    await eraseThroughDefinerFunctions(q, ERASED, ["referrals", "referral_status_changes"]);
  }

  async down(q: QueryRunner): Promise<void> {
    await eraseThroughServiceGrants(q, ERASED);
  }
}
