import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  forgetForgottenRecords,
  rememberForgottenRecords,
  type ForgottenTables,
} from "../../shared/forgotten";

/**
 * An imported involvement that an erasure or retention takes, and an imported incident that
 * retention returns to what police.uk publishes, stay so through the police's next imports (shared/forgotten.ts).
 */
const TABLES: ForgottenTables = {
  erased: ["involvements"],
  deleted: ["involvements"],
  anonymised: ["incidents"],
};

export class ForgottenRecords1796591932948 implements MigrationInterface {
  name = "ForgottenRecords1796591932948";

  async up(q: QueryRunner): Promise<void> {
    await rememberForgottenRecords(q, TABLES);
  }

  async down(q: QueryRunner): Promise<void> {
    await forgetForgottenRecords(q, TABLES);
  }
}
