import type { MigrationInterface, QueryRunner } from "typeorm";
import { grantTo } from "../../shared/database-roles";

/** Erasure and retention (shared/data-protection.ts): the housing service may remove an occupant, a tenancy (with its actions) left about no one or expired, and reports. */
export class DataProtection1765100000004 implements MigrationInterface {
  name = "DataProtection1765100000004";

  async up(q: QueryRunner): Promise<void> {
    await grantTo(
      q,
      "service",
      ["DELETE"],
      ["tenancy_occupants", "tenancies", "tenancy_actions", "housing_reports"],
    );
  }

  async down(): Promise<void> {
    // Taking the rights back would leave erasure requests that cannot be carried out.
  }
}
