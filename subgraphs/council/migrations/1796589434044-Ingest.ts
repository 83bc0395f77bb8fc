import type { MigrationInterface, QueryRunner } from "typeorm";
import { addSourceKeys, createImportsTable, createIngestRole } from "../../shared/ingest/store";

/**
 * Loading the council's own exports (npm run ingest): each loaded table keeps the source's
 * record key, the imports are recorded, and an ingest role writes them (the service stays
 * read-only on its cases).
 */
export class Ingest1796589434044 implements MigrationInterface {
  name = "Ingest1796589434044";

  async up(q: QueryRunner): Promise<void> {
    await addSourceKeys(q, ["asb_cases", "asb_parties", "asb_interventions"]);
    await createImportsTable(q);
    await createIngestRole(q, {
      asb_cases: ["INSERT", "UPDATE"],
      asb_parties: ["INSERT", "UPDATE"],
      asb_interventions: ["INSERT", "UPDATE"],
      imports: ["INSERT", "UPDATE"],
    });
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE imports`);
    for (const table of ["asb_interventions", "asb_parties", "asb_cases"])
      await q.query(`ALTER TABLE ${table} DROP COLUMN source_key`);
  }
}
