import type { MigrationInterface, QueryRunner } from "typeorm";
import { createRollup, dropRollup } from "../../shared/rollups";
import { tenancyActionRollup } from "../rollup";

/** Monthly rollups (shared/rollups.ts): statistics count from them, not from the raw rows. */
export class MonthlyCounts1796578491110 implements MigrationInterface {
  name = "MonthlyCounts1796578491110";

  async up(q: QueryRunner): Promise<void> {
    await createRollup(q, tenancyActionRollup);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropRollup(q, tenancyActionRollup);
  }
}
