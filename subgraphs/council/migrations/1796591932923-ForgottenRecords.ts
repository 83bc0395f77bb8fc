import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  forgetForgottenRecords,
  rememberForgottenRecords,
  type ForgottenTables,
} from "../../shared/forgotten";

/**
 * An imported case, party or intervention that an erasure or retention takes stays out of the
 * council's next imports (shared/forgotten.ts).
 */
const TABLES: ForgottenTables = {
  erased: ["asb_cases", "asb_interventions", "asb_parties"],
  deleted: ["asb_cases", "asb_parties", "asb_interventions"],
};

export class ForgottenRecords1796591932923 implements MigrationInterface {
  name = "ForgottenRecords1796591932923";

  async up(q: QueryRunner): Promise<void> {
    await rememberForgottenRecords(q, TABLES);
  }

  async down(q: QueryRunner): Promise<void> {
    await forgetForgottenRecords(q, TABLES);
  }
}
