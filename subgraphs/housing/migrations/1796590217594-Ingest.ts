import type { MigrationInterface, QueryRunner } from "typeorm";
import { addSourceKeys, createImportsTable, createIngestRole } from "../../shared/ingest/store";

/**
 * Loading the housing management system's exports (npm run ingest): each loaded table keeps the
 * source's record key (properties are also found by UPRN), the imports are recorded, and an
 * ingest role writes them (the service stays read-only on its tenancies).
 */
export class Ingest1796590217594 implements MigrationInterface {
  name = "Ingest1796590217594";

  async up(q: QueryRunner): Promise<void> {
    await addSourceKeys(q, ["properties", "tenancies", "tenancy_occupants", "tenancy_actions"]);
    await createImportsTable(q);
    await createIngestRole(q, {
      properties: ["INSERT", "UPDATE"],
      tenancies: ["INSERT", "UPDATE"],
      tenancy_occupants: ["INSERT", "UPDATE"],
      tenancy_actions: ["INSERT", "UPDATE"],
      imports: ["INSERT", "UPDATE"],
    });
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE imports`);
    for (const table of ["tenancy_actions", "tenancy_occupants", "tenancies", "properties"])
      await q.query(`ALTER TABLE ${table} DROP COLUMN source_key`);
  }
}
