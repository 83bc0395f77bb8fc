import type { MigrationInterface, QueryRunner } from "typeorm";
import { createRollup, dropRollup } from "../../shared/rollups";
import { referralRollup } from "../rollup";

/** Monthly rollups (shared/rollups.ts): statistics count from them, not from the raw rows. */
export class MonthlyCounts1796578491110 implements MigrationInterface {
  name = "MonthlyCounts1796578491110";

  async up(q: QueryRunner): Promise<void> {
    await createRollup(q, referralRollup);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropRollup(q, referralRollup);
  }
}
