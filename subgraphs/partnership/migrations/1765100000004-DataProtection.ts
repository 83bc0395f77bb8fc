import type { MigrationInterface, QueryRunner } from "typeorm";
import { grantTo } from "../../shared/database-roles";

/**
 * Erasure (resolvers/data-protection.resolver.ts): the partnership service may drop an agency's
 * reference for a person, case links to erased records and report index entries, and anonymise
 * a person no agency holds anything about any more.
 */
export class DataProtection1765100000004 implements MigrationInterface {
  name = "DataProtection1765100000004";

  async up(q: QueryRunner): Promise<void> {
    await grantTo(q, "service", ["DELETE"], ["person_references", "case_records", "report_index"]);
    await grantTo(q, "service", ["UPDATE"], ["people"]);
  }

  async down(): Promise<void> {
    // Taking the rights back would leave erasure requests that cannot be carried out.
  }
}
