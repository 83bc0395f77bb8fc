import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  forgetForgottenRecords,
  rememberForgottenRecords,
  type ForgottenTables,
} from "../../shared/forgotten";

/**
 * An imported tenancy, occupant or tenancy action that an erasure or retention takes stays
 * out of housing's next imports (shared/forgotten.ts).
 */
const TABLES: ForgottenTables = {
  erased: ["tenancies", "tenancy_actions", "tenancy_occupants", "housing_reports"],
  deleted: ["tenancies", "tenancy_occupants", "tenancy_actions"],
};

export class ForgottenRecords1796591932981 implements MigrationInterface {
  name = "ForgottenRecords1796591932981";

  async up(q: QueryRunner): Promise<void> {
    await rememberForgottenRecords(q, TABLES);
  }

  async down(q: QueryRunner): Promise<void> {
    await forgetForgottenRecords(q, TABLES);
  }
}
