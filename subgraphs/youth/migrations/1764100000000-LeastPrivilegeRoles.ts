import type { MigrationInterface, QueryRunner } from "typeorm";
import { createServiceRole } from "../../shared/database-roles";

/** The youth service reads its records and writes referrals (referProgramme, status changes). */
export class LeastPrivilegeRoles1764100000000 implements MigrationInterface {
  name = "LeastPrivilegeRoles1764100000000";

  async up(q: QueryRunner): Promise<void> {
    await createServiceRole(q, {
      writes: { referrals: ["INSERT", "UPDATE"], referral_status_changes: ["INSERT"] },
    });
  }

  async down(): Promise<void> {
    // Roles are cluster-wide and may serve a copy of this database: dropped by whoever drops both.
  }
}
