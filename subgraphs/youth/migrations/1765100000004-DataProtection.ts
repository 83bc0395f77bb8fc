import type { MigrationInterface, QueryRunner } from "typeorm";
import { grantTo } from "../../shared/database-roles";

/** Erasure and retention (shared/data-protection.ts): the youth service may remove enrolments and referrals (with their status changes). */
export class DataProtection1765100000004 implements MigrationInterface {
  name = "DataProtection1765100000004";

  async up(q: QueryRunner): Promise<void> {
    await grantTo(q, "service", ["DELETE"], ["enrolments", "referrals", "referral_status_changes"]);
  }

  async down(): Promise<void> {
    // Taking the rights back would leave erasure requests that cannot be carried out.
  }
}
