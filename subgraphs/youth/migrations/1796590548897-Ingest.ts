import type { MigrationInterface, QueryRunner } from "typeorm";
import { addSourceKeys, createImportsTable, createIngestRole } from "../../shared/ingest/store";

/**
 * Loading the school information system's and the youth service's exports (npm run ingest): each
 * loaded table keeps the source's record key (schools are also found by URN), the imports are
 * recorded, and an ingest role writes them, a referral's status history included.
 */
export class Ingest1796590548897 implements MigrationInterface {
  name = "Ingest1796590548897";

  async up(q: QueryRunner): Promise<void> {
    await addSourceKeys(q, ["schools", "enrolments", "programmes", "referrals"]);
    await createImportsTable(q);
    await createIngestRole(q, {
      schools: ["INSERT", "UPDATE"],
      enrolments: ["INSERT", "UPDATE"],
      programmes: ["INSERT", "UPDATE"],
      referrals: ["INSERT", "UPDATE"],
      referral_status_changes: ["INSERT"],
      imports: ["INSERT", "UPDATE"],
    });
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE imports`);
    for (const table of ["referrals", "programmes", "enrolments", "schools"])
      await q.query(`ALTER TABLE ${table} DROP COLUMN source_key`);
  }
}
