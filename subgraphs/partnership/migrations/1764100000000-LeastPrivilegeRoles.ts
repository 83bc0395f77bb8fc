import type { MigrationInterface, QueryRunner } from "typeorm";
import { createServiceRole } from "../../shared/database-roles";

/** The partnership service reads its index and writes problem-solving cases, never the people index. */
export class LeastPrivilegeRoles1764100000000 implements MigrationInterface {
  name = "LeastPrivilegeRoles1764100000000";

  async up(q: QueryRunner): Promise<void> {
    await createServiceRole(q, {
      writes: {
        problem_cases: ["INSERT", "UPDATE"],
        case_reference_counters: ["INSERT", "UPDATE"],
        case_partners: ["INSERT"],
        case_neighbourhoods: ["INSERT"],
        case_people: ["INSERT"],
        case_actions: ["INSERT", "UPDATE"],
        case_stage_changes: ["INSERT"],
        case_records: ["INSERT"],
        case_events: ["INSERT"],
      },
    });
  }

  async down(): Promise<void> {
    // Roles are cluster-wide and may serve a copy of this database: dropped by whoever drops both.
  }
}
