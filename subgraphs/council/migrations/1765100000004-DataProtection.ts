import type { MigrationInterface, QueryRunner } from "typeorm";
import { grantTo } from "../../shared/database-roles";

/** Erasure and retention (shared/data-protection.ts): the council service may remove a party to an ASB case, and a case (with its interventions) left about no one or expired. */
export class DataProtection1765100000004 implements MigrationInterface {
  name = "DataProtection1765100000004";

  async up(q: QueryRunner): Promise<void> {
    await grantTo(q, "service", ["DELETE"], ["asb_parties", "asb_cases", "asb_interventions"]);
  }

  async down(): Promise<void> {
    // Taking the rights back would leave erasure requests that cannot be carried out.
  }
}
