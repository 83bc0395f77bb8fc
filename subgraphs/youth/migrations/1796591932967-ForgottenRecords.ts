import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  forgetForgottenRecords,
  rememberForgottenRecords,
  type ForgottenTables,
} from "../../shared/forgotten";

/**
 * An imported enrolment or referral that an erasure or retention takes stays out of youth
 * services' next imports (an attendance return for it is refused with it) (shared/forgotten.ts).
 */
const TABLES: ForgottenTables = {
  erased: ["enrolments", "referrals", "referral_status_changes"],
  deleted: ["enrolments", "referrals"],
};

export class ForgottenRecords1796591932967 implements MigrationInterface {
  name = "ForgottenRecords1796591932967";

  async up(q: QueryRunner): Promise<void> {
    await rememberForgottenRecords(q, TABLES);
  }

  async down(q: QueryRunner): Promise<void> {
    await forgetForgottenRecords(q, TABLES);
  }
}
