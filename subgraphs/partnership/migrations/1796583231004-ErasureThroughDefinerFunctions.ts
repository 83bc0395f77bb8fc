import type { MigrationInterface, QueryRunner } from "typeorm";
import { eraseThroughDefinerFunctions, eraseThroughServiceGrants } from "../../shared/erasure";

/** The partnership store's erased tables, parents first (the order an undo puts them back in). */
const ERASED = ["case_records", "person_references"];

/**
 * Least privilege again (ErasureInTwoPhases1796578647022 let the service insert into its erased
 * tables and into erasure_pending): the case links and references are moved aside and put back only
 * through the definer's functions (shared/erasure.ts).
 * It still inserts case links, as it did before erasure (linking a record to a case).
 */
export class ErasureThroughDefinerFunctions1796583231004 implements MigrationInterface {
  name = "ErasureThroughDefinerFunctions1796583231004";

  async up(q: QueryRunner): Promise<void> {
    await eraseThroughDefinerFunctions(q, ERASED, ["case_records"]);
  }

  async down(q: QueryRunner): Promise<void> {
    await eraseThroughServiceGrants(q, ERASED);
  }
}
