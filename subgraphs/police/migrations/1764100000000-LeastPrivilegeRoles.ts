import type { MigrationInterface, QueryRunner } from "typeorm";
import { createServiceRole } from "../../shared/database-roles";

/** The police service reads its incidents; only the importer and the seed (as the migrator) write them. */
export class LeastPrivilegeRoles1764100000000 implements MigrationInterface {
  name = "LeastPrivilegeRoles1764100000000";

  async up(q: QueryRunner): Promise<void> {
    await createServiceRole(q);
  }

  async down(): Promise<void> {
    // Roles are cluster-wide and may serve a copy of this database: dropped by whoever drops both.
  }
}
