import type { MigrationInterface, QueryRunner } from "typeorm";
import { grantTo } from "../../shared/database-roles";

/** Erasure and retention (shared/data-protection.ts): the police service may remove a person's involvement in an incident (an incident itself, street-level data, stays). */
export class DataProtection1765100000004 implements MigrationInterface {
  name = "DataProtection1765100000004";

  async up(q: QueryRunner): Promise<void> {
    await grantTo(q, "service", ["DELETE"], ["involvements"]);
  }

  async down(): Promise<void> {
    // Taking the rights back would leave erasure requests that cannot be carried out.
  }
}
